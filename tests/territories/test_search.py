import pytest

from maillage.territories.models import PostalCode
from maillage.territories.normalize import compact, normalize, phonetic
from maillage.territories.search import CommuneIndex, search_communes


@pytest.mark.parametrize("query", ["chateaudun", "Chateau dun", "Châteaudun", "CHATEAUDUN", "chateaudn", "chatodun"])
def test_chateaudun_is_found_first_however_it_is_typed(query):
    assert search_communes(query)[0].code == "28088"


def test_prefix_while_typing():
    codes = [commune.code for commune in search_communes("chatea")]
    assert "28088" in codes


def test_postal_code_gives_every_commune_it_serves():
    communes = search_communes("28200")
    assert "28088" in [c.code for c in communes]
    # Every commune served by 28200, and Jaudrais, whose INSEE code is 28200.
    served = set(PostalCode.objects.filter(code="28200").values_list("commune_id", flat=True))
    assert {c.code for c in communes} == served | {"28200"}
    assert communes[0].code == "28088"  # postal matches first, the most populous first
    assert communes[-1].code == "28200"


def test_postal_code_prefix_and_insee_code():
    assert {c.departement_id for c in search_communes("282")} == {"28"}
    assert search_communes("2A004")[0].nom == "Ajaccio"
    assert search_communes("2a004")[0].nom == "Ajaccio"


def test_paris_arrondissements_by_postal_code():
    codes = {c.code for c in search_communes("75015")}
    assert codes == {"75056", "75115"}


def test_later_word_and_article_are_searchable():
    # "rotrou" finds Nogent-le-Rotrou from its last word; "nojan le rotrou" is how it sounds.
    assert search_communes("rotrou")[0].code == "28280"
    assert search_communes("nojan le rotrou")[0].code == "28280"


def test_former_name_leads_to_commune_nouvelle():
    assert search_communes("Arbignieu")[0].code == "01015"


def test_larger_commune_wins_among_equal_matches():
    # Two "Bonneval" would tie; in the test subset only Eure-et-Loir's exists, so build a tiny index.
    index = CommuneIndex(
        [("1", "Bonneval", 200), ("2", "Bonneval", 5000), ("3", "Bonnevaux", 9000)], [], [], version=None
    )
    assert [hit.code for hit in index.search("bonneval")] == ["2", "1"]
    # A typo has no written match: the similar names come, the larger first among equals.
    assert [hit.code for hit in index.search("bonnevel")][:2] == ["2", "1"]


def test_unknown_and_empty_queries():
    assert search_communes("") == []
    assert search_communes("   ") == []
    assert search_communes("---") == []
    assert search_communes("zzzzzzzzqqq") == []


def test_normalisation():
    assert normalize("Saint-Étienne-du-Rouvray") == normalize("St Etienne du rouvray") == "saint etienne du rouvray"
    assert compact("L'Haÿ-les-Roses") == "lhaylesroses"
    assert phonetic("Châteaudun") == phonetic("chatodun")
    assert phonetic("Saint-Cyr") == phonetic("sincyr")
