from dedupe.model import Document
from dedupe.normalize import normalize

PA_STYLE = """  ------------------------------------------------------------------------
                  02:49 07/01/00: Page 1 (HHH) SHOWBIZ Ferry
  ------------------------------------------------------------------------
(with pix)<
\x19FERRY HITS HARBOUR WALL<
\x19By Jane Marsh, PA News<
\x19A passenger ferry struck the harbour wall at Port Calder last
night, injuring 14 people.<
\x19The operator said the vessel would be inspected.<
end<
"""


def test_wire_furniture_yields_no_tokens():
    n = normalize(Document("pa", PA_STYLE))
    assert n.tokens[:3] == ("ferry", "hits", "harbour")
    for word in ("page", "hhh", "showbiz", "pix", "marsh", "end"):
        assert word not in n.tokens


def test_offsets_point_into_original_text():
    text = "Ministers’ plan FAILS, says Ms O'Neill."
    n = normalize(Document("x", text))
    assert n.tokens == ("ministers", "plan", "fails", "says", "ms", "o'neill")
    assert [text[s:e] for s, e in zip(n.starts, n.ends)][0] == "Ministers"


def test_sentences_follow_paragraphs_and_punctuation_not_line_wraps():
    n = normalize(Document("pa", PA_STYLE))
    spans = [PA_STYLE[s.start:s.end].strip() for s in n.sentences]
    assert spans[0].endswith("FERRY HITS HARBOUR WALL<")
    assert "last\nnight, injuring 14 people." in spans[1]
    assert spans[2].startswith("\x19The operator")
    text = "Rain fell. Roads closed!\n\nA new paragraph starts \"here\". Then 3 more."
    assert len(normalize(Document("t", text)).sentences) == 4


def test_content_hash_ignores_case_and_spacing():
    a = normalize(Document("a", "Storm hits the coast.\n\nFerries halted."))
    b = normalize(Document("b", "STORM hits  the coast. Ferries halted"))
    c = normalize(Document("c", "Storm hits the coast. Ferries resumed."))
    assert a.content_hash == b.content_hash != c.content_hash
