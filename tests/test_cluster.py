from dedupe.cluster import build_trees
from dedupe.model import Document, Match, Scores


def match(a, b, cab, cba, cos=0.6):
    return Match(a=a, b=b, scores=Scores(cos, max(cab, cba), min(cab, cba)), contain_ab=cab,
                 contain_ba=cba, aligned_a=cab, aligned_b=cba)


def test_earliest_published_is_root_and_copies_attach_to_it():
    docs = [Document("late", "x", published="2026-01-02T10:00:00+00:00"),
            Document("wire", "x", published="2026-01-02T08:00:00+00:00"),
            Document("later", "x", published="2026-01-02T11:00:00+00:00")]
    trees = build_trees(docs, [match(0, 1, 0.9, 0.9), match(0, 2, 0.95, 0.95), match(1, 2, 0.9, 0.9)])
    [tree] = trees
    assert tree.root == 1
    assert tree.parents == {0: 1, 2: 1}


def test_without_dates_the_contained_text_is_the_original():
    docs = [Document("local", "x"), Document("wire", "x")]
    [tree] = build_trees(docs, [match(0, 1, 0.3, 1.0)])
    assert tree.root == 1 and tree.parents == {0: 1}


def test_roundup_does_not_bridge_two_stories():
    docs = [Document("ferry", "x", published="2026-01-01T08:00:00"),
            Document("budget", "x", published="2026-01-01T09:00:00"),
            Document("roundup", "x", published="2026-01-03T09:00:00"),
            Document("ferry-copy", "x", published="2026-01-01T10:00:00")]
    # the roundup explains little of each story; each story explains a bit of the roundup
    matches = [match(0, 2, 0.05, 0.25), match(1, 2, 0.05, 0.22), match(0, 3, 0.9, 0.9)]
    trees = build_trees(docs, matches)
    stories = sorted(sorted([t.root, *t.parents]) for t in trees)
    assert stories == [[0, 2, 3]]  # the roundup joins one story, never both
    assert 1 not in {m for t in trees for m in (t.root, *t.parents)}


def test_without_dates_the_hub_is_the_original():
    # an article excerpted by three copies that each took a different part
    docs = [Document("copy1", "x"), Document("copy2", "x"), Document("article", "x"), Document("copy3", "x")]
    matches = [match(0, 2, 0.9, 0.35), match(1, 2, 0.85, 0.3), match(3, 2, 0.8, 0.3),
               match(0, 1, 0.25, 0.25)]
    [tree] = build_trees(docs, matches)
    assert tree.root == 2
    assert tree.parents == {0: 2, 1: 2, 3: 2}


def test_without_dates_wire_copy_comes_before_papers():
    docs = [Document("paper", "x", source="Daily Star"), Document("wire", "x", source="PA")]
    matches = [match(0, 1, 0.2, 0.9)]  # the paper is the more contained text
    [tree] = build_trees(docs, matches, wire=frozenset({1}))
    assert tree.root == 1
