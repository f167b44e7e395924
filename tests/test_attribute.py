from dedupe.attribute import attribute, find_credits, outlet_key
from dedupe.model import Document
from conftest import COPY_SEED


def sources(text):
    return [c.source for c in find_credits(text)]


def test_wire_credit_forms():
    assert sources("LONDON (Reuters) - Shares fell on Monday.") == ["Reuters"]
    assert sources("Rescuers searched all night. — AP") == ["AP"]
    assert sources("By Helen William, PA News\nThe star arrived.") == ["PA"]
    assert sources("Prices rose, according to AFP.") == ["AFP"]
    assert sources("The deal was signed, Xinhua reported.") == ["Xinhua"]
    assert sources("No credit in this plain sentence about April.") == []
    assert [c.source for c in find_credits("Text.\n(With agency inputs)")] == ["wire agency"]


def test_aggregator_credits(seeds):
    assert sources(seeds[COPY_SEED])[0] == "Live Mint"
    assert sources("Original Source: www.livemint.com date 2025")[0] == "livemint"
    assert outlet_key("www.livemint.com") == outlet_key("Live Mint") == "livemint"


def test_original_that_credits_another_outlet_is_not_the_source(seeds):
    doc = Document("menafn", seeds[COPY_SEED])
    origin = attribute(doc, [doc])
    assert origin.source == "Live Mint" and not origin.in_corpus
    assert any("MENAFN" in e for e in origin.evidence)


def test_original_keeps_own_outlet_and_lists_copy_credits():
    wire = Document("w", "PORT CALDER, March 14 (MPA) - A ferry hit the wall.", source="Meridian Press Agency",
                    published="2026-03-14T09:00:00+00:00")
    copy = Document("c", "A ferry hit the wall. (Reuters)")
    origin = attribute(wire, [wire, copy])
    assert origin.source == "Meridian Press Agency" and origin.in_corpus
    assert origin.evidence[0].startswith("w is the earliest published text")
