import pytest

from maillage.places.importing.validation import RowChecker
from tests.places.helpers import VALID_ROW


def check(**changes):
    return RowChecker().check(2, {**VALID_ROW, **changes})


def reasons(checked):
    return [issue.reason for issue in checked.errors], [issue.reason for issue in checked.warnings]


def test_valid_row_passes_without_warning():
    checked = check()
    assert checked.ok and checked.warnings == []
    assert checked.values["services"] == [
        "Aide aux démarches administratives",
        "Maîtrise des outils numériques du quotidien",
    ]


@pytest.mark.parametrize("field", ["id", "nom", "commune", "code_postal", "adresse", "date_maj", "pivot"])
def test_required_fields(field):
    checked = check(**{field: ""})
    assert not checked.ok and checked.errors[0].field == field


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("02 37 45 11 91", "+33237451191"),
        ("02.37.45.11.91", "+33237451191"),
        ("0590 12 34 56", "+590590123456"),
        ("+33 (0)2 37 45 11 91", "+33237451191"),
        ("237451191", "+33237451191"),
    ],
)
def test_french_phone_numbers_are_repaired_with_a_warning(given, stored):
    checked = check(telephone=given)
    assert checked.ok and checked.values["telephone"] == stored
    assert checked.warnings


@pytest.mark.parametrize("given", ["3646", "+3322820252000", "appeler la mairie"])
def test_phone_numbers_the_pattern_refuses_are_errors(given):
    assert check(telephone=given).errors[0].field == "telephone"


def test_vocabulary_values_exact_loose_near_and_wrong():
    checked = check(services="aide aux demarches administratives|Maitrise des outils numeriques du quotidien")
    assert checked.ok and len(checked.warnings) == 2
    assert check(dispositif_programmes_nationaux="France Service").values["dispositif_programmes_nationaux"] == [
        "France Services"
    ]
    wrong = check(services="Cours de cuisine")
    assert not wrong.ok and "hors du vocabulaire" in wrong.errors[0].reason


def test_separators_and_apostrophes():
    checked = check(modalites_acces="Se présenter;Ce lieu n’accueille pas de public")
    assert checked.values["modalites_acces"] == ["Se présenter"]  # §5.5: services present, "no public" removed
    errors, warnings = reasons(checked)
    assert any("séparateur" in w for w in warnings) and any("retiré" in w for w in warnings)


def test_placeholders_are_kept_with_a_warning():
    checked = check(pivot="00000000000000", date_maj="1970-01-01", horaires="9h à 12h / 14h à 17h", typologie="XYZ")
    assert checked.ok
    _, warnings = reasons(checked)
    assert "SIRET inconnu (valeur de remplacement 00000000000000)" in warnings
    assert "date de remplacement : date de mise à jour inconnue" in warnings
    assert any(w.startswith("horaires hors du format") for w in warnings)
    assert any(w.startswith("code de typologie inconnu") for w in warnings)


def test_french_hours_are_converted_when_unambiguous():
    checked = check(horaires="Du lundi au jeudi de 9h à 12h et de 14h à 17h et le vendredi de 9h à 12h")
    assert checked.values["horaires"] == "Mo-Th 09:00-12:00,14:00-17:00; Fr 09:00-12:00"


@pytest.mark.parametrize(
    ("given", "stored"),
    [("15/01/2026", "2026-01-15"), ("2026/01/15 10:20:30", "2026-01-15"), ("1768471200", "2026-01-15")],
)
def test_dates_in_other_formats(given, stored):
    checked = check(date_maj=given)
    assert checked.values["date_maj"] == stored and checked.warnings


def test_codes_that_lost_their_leading_zero():
    checked = RowChecker().check(2, {**VALID_ROW, "code_postal": 1000, "code_insee": 1053})
    assert checked.values["code_postal"] == "01000" and checked.values["code_insee"] == "01053"


def test_long_summary_moves_to_detail_when_detail_is_empty():
    text = "mot " * 100
    checked = check(presentation_resume=text)
    assert checked.ok and checked.values["presentation_detail"] == text.strip()
    assert len(checked.values["presentation_resume"]) <= 280
    assert not check(presentation_resume=text, presentation_detail="autre").ok


def test_no_service_means_not_open_to_public():
    checked = check(services="")
    assert checked.ok and any("n'accueillant pas de public" in w.reason for w in checked.warnings)


def test_coordinates():
    assert check(latitude="0", longitude="0").values["latitude"] is None
    assert check(latitude="48,07").values["latitude"] == 48.07
    assert not check(latitude="nord").ok
