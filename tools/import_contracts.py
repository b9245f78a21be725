"""A contract type import-linter lacks: forbid *submodules* of an external package.

import-linter squashes every external package to its top-level name (``django``), so a
``forbidden`` contract cannot say "the domain may use Django, but not ``django.http``". This one
reads the import statements grimp recorded for each source module's imports of the package and
fails on those that name a forbidden submodule.

    [[tool.importlinter.contracts]]
    type = "forbidden_submodules"
    source_modules = ["coursegate.accounts", ...]
    package = "django"
    forbidden_submodules = ["django.http"]
"""

from __future__ import annotations

import re

from importlinter.application import output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck


class ForbiddenSubmodulesContract(Contract):
    type_name = "forbidden_submodules"

    source_modules = fields.ListField(subfield=fields.StringField())
    package = fields.StringField()
    forbidden_submodules = fields.ListField(subfield=fields.StringField())

    def check(self, graph, verbose: bool) -> ContractCheck:
        forbidden = [re.escape(name) for name in self.forbidden_submodules]  # type: ignore[attr-defined]
        pattern = re.compile(rf"^\s*(?:from|import)\s+(?:{'|'.join(forbidden)})(?:\.|\s|$)")
        violations = []
        for root in self.source_modules:  # type: ignore[attr-defined]
            for module in sorted({root, *graph.find_descendants(root)}):
                if self.package not in graph.find_modules_directly_imported_by(module):
                    continue
                for detail in graph.get_import_details(importer=module, imported=self.package):
                    if pattern.match(detail["line_contents"]):
                        violations.append((module, detail["line_number"], detail["line_contents"]))
        return ContractCheck(kept=not violations, metadata={"violations": violations})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for module, line_number, line in check.metadata["violations"]:
            output.print_error(f"{module}:{line_number}: {line}")
            output.new_line()
