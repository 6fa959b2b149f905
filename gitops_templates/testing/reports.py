"""The `test` report for CI: JUnit XML (`--junit FILE`) and a GitHub job summary.

JUnit: one `<testsuite>` per template, one `<testcase>` per example and case, one for
the simulated values; a failure carries its message (and the snapshot diff) in the
element's text. Built with `xml.etree`, so any text from the catalog is escaped. The job
summary is a Markdown table; catalog text in it is escaped too.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from xml.etree import ElementTree as ET

if TYPE_CHECKING:
    from gitops_templates.testing.run import TemplateTests, TestReport


# What XML 1.0 cannot carry at all, escaped or not (a control character in a case name)
_NOT_XML = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def junit_xml(report: TestReport) -> str:
    """The XML document (UTF-8 declaration included); text XML cannot hold is replaced."""
    root = ET.Element("testsuites", name="gitops-templates test")
    failures = 0
    for template in report.templates:
        failures += _suite(root, template)
    root.set("tests", str(sum(_count(t) for t in report.templates)))
    root.set("failures", str(failures))
    for element in root.iter():
        element.text = _xml_text(element.text) if element.text else element.text
        for key, value in element.attrib.items():
            element.set(key, _xml_text(value))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _count(template: TemplateTests) -> int:
    return len(template.trials) + len(template.problems) + (1 if template.simulation else 0)


def _suite(root: ET.Element, template: TemplateTests) -> int:
    suite = ET.SubElement(root, "testsuite", name=template.template, tests=str(_count(template)))
    failures = 0
    for trial in template.trials:
        case = ET.SubElement(suite, "testcase", classname=f"{template.template}.{trial.kind}",
                             name=trial.name)  # fmt: skip
        if not trial.passed:
            failures += 1
            failure = ET.SubElement(case, "failure", message=trial.message.split("\n")[0])
            failure.text = "\n".join(filter(None, (trial.message, trial.diff)))
    for problem in template.problems:
        failures += 1
        case = ET.SubElement(suite, "testcase", classname=f"{template.template}.file",
                             name=problem.file or "test file")  # fmt: skip
        ET.SubElement(case, "failure", message=problem.message).text = problem.location()
    sim = template.simulation
    if sim is not None:
        case = ET.SubElement(suite, "testcase", classname=f"{template.template}.simulated",
                             name=f"{sim.total} simulated value(s), seed {sim.seed}")  # fmt: skip
        if sim.failure or sim.unsupported:
            failures += 1
            text = sim.failure or "; ".join(sim.unsupported)
            ET.SubElement(case, "failure", message=text.split("\n")[0]).text = (
                f"{text}\nminimal values: {sim.minimal_values!r}" if sim.failure else text
            )
    suite.set("failures", str(failures))
    return failures


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def summary_markdown(report: TestReport) -> str:
    """A Markdown table of the run, one row per template, then each failure."""
    from gitops_templates.core.markdown import markdown_cell as cell

    def markdown_cell(text: object) -> str:
        return cell(_CONTROL.sub("", str(text)))

    lines = ["### gitops-templates test", "",
             "| template | result | passed | confidence |", "|---|---|---|---|"]  # fmt: skip
    for t in report.templates:
        result = "passed" if t.ok else "**failed**"
        confidence = f"{t.confidence:.3f}" if t.confidence is not None else "n/a"
        lines.append(f"| {markdown_cell(t.template)} | {result} | {t.passed}/{t.total} | "
                     f"{confidence} |")  # fmt: skip
    failed = [(t.template, trial) for t in report.templates for trial in t.trials
              if not trial.passed]  # fmt: skip
    if failed:
        lines += ["", "Failures:", ""]
        lines += [f"- {markdown_cell(tid)}: {markdown_cell(trial.name)}: "
                  f"{markdown_cell(trial.message.splitlines()[0] if trial.message else '')}"
                  for tid, trial in failed]  # fmt: skip
    return "\n".join(lines) + "\n"
