"""The COPIL report as an XLSX workbook (openpyxl): one sheet per part of the report."""

import io

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter


def _sheet(workbook, title: str, header: list[str], rows: list[list]):
    sheet = workbook.create_sheet(title)
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for index, name in enumerate(header, 1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, min(60, len(name) + 4))
    sheet.freeze_panes = "A2"
    return sheet


def report_workbook(report: dict) -> bytes:
    workbook = Workbook()
    summary = workbook.active
    summary.title = "Synthèse"
    roadmap = report["roadmap"]
    summary.append([f"Rapport de suivi — {roadmap.name}"])
    summary["A1"].font = Font(bold=True, size=14)
    summary.append(["Période", f"du {report['start']:%d/%m/%Y} au {report['end']:%d/%m/%Y}"])
    summary.append(["Territoire", roadmap.territory_label])
    for status, count in report["status_counts"].items():
        summary.append([f"Actions « {status.label} »", count])
    summary.column_dimensions["A"].width = 40
    statuses = report["statuses"]
    _sheet(
        workbook,
        "Axes",
        ["Axe", "Intitulé", *[s.label for s in statuses], "Total"],
        [[row["axis"].number, row["axis"].title, *row["counts"], row["total"]] for row in report["axes"]],
    )
    _sheet(
        workbook,
        "Actions",
        ["Axe", "Groupe", "Action", "Intitulé", "Statut", "Porteurs"],
        [
            [
                axis.number,
                group.title,
                action.code,
                action.title,
                action.get_status_display(),
                ", ".join(s.nom for s in action.porteurs.all()),
            ]
            for axis, groups in report["tree"]
            for group, actions in groups
            for action in actions
        ],
    )
    _sheet(
        workbook,
        "Changements de statut",
        ["Date", "Axe", "Action", "Intitulé", "De", "Vers", "Commentaire"],
        [
            [
                change.changed_at.date(),
                change.action.group.axis.number,
                change.action.code,
                change.action.title,
                change.get_from_status_display(),
                change.get_to_status_display(),
                change.comment,
            ]
            for change in report["changes"]
        ],
    )
    _sheet(
        workbook,
        "Indicateurs",
        ["Code", "Indicateur", "Unité", "Référence", "Cible", "Réalisé", "Progression (%)", "Origine de la valeur"],
        [
            [
                row.indicator.code,
                row.indicator.name,
                row.indicator.unit,
                row.indicator.baseline,
                row.indicator.target,
                row.actual,
                row.progress,
                row.origin,
            ]
            for row in report["indicators"]
        ],
    )
    targets = report["targets"]
    _sheet(
        workbook,
        "Objectifs nationaux",
        ["Objectif", "National", "Territorialisé", "Réalisé", "Progression (%)", "Règle"],
        [
            [row.target.label, row.target.national, row.local, row.actual, row.progress, targets.explanation]
            for row in targets.targets
        ],
    )
    financing = report["financing"]
    _sheet(
        workbook,
        "Financement des actions",
        ["Action", "Intitulé", "Budget (€)", "Financé (€)", "Dépensé (€)", "Reste à financer (€)", "Financeurs"],
        [
            [
                row.action.code,
                row.action.title,
                float(row.budget),
                float(row.financed),
                float(row.spent),
                float(row.gap),
                "; ".join(f"{name} {float(amount):.2f} € ({share} %)" for name, amount, share in row.by_funder),
            ]
            for row in financing["actions"]
        ],
    )
    _sheet(
        workbook,
        "Financeurs",
        ["Financeur", "Montant (€)"],
        [[row["funder__name"], float(row["total"])] for row in financing["by_funder"]],
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
