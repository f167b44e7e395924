import numpy as np

from dedupe.stages.cluster import build_trees, shared_beyond
from dedupe.text.fingerprint import fingerprint
from dedupe.model import Document, Match, Scores
from dedupe.text.normalize import normalize


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


# A court story as the wire filed it, a paper that ran most of it, and a second paper.
WIRE_COURT = (
    "A former nurse who stole more than 40,000 pounds from elderly patients in her care was jailed "
    "for three years at Leeds Crown Court yesterday. Margaret Hollis, 52, of Harehills, admitted 14 "
    "charges of theft between 1996 and 1998. The court heard she took cash cards from residents of "
    "the Beechwood nursing home and withdrew money while they slept. Judge Peter Kent told her she had "
    "betrayed the trust of people who could not protect themselves. Detective Sergeant Alan Ward said "
    "after the hearing that the families were relieved the case was over.")
PAPER_A_COURT = (
    "A former nurse who stole more than 40,000 pounds from elderly patients in her care was jailed "
    "for three years at Leeds Crown Court yesterday. Margaret Hollis, 52, of Harehills, admitted 14 "
    "charges of theft between 1996 and 1998. The court heard she took cash cards from residents of "
    "the Beechwood nursing home and withdrew money while they slept. Judge Peter Kent told her she had "
    "betrayed the trust of people who could not protect themselves. Relatives of one victim, a "
    "91-year-old former miner, wept in the public gallery as the sentence was read out.")
PAPER_B_FROM_WIRE = (
    "Nurse jailed for stealing from patients. A former nurse who stole more than 40,000 pounds from "
    "elderly patients in her care was jailed for three years at Leeds Crown Court yesterday. Margaret "
    "Hollis, 52, of Harehills, admitted 14 charges of theft between 1996 and 1998.")
PAPER_B_FROM_A = PAPER_B_FROM_WIRE + (
    " Relatives of one victim, a 91-year-old former miner, wept in the public gallery as the sentence "
    "was read out.")


def court_story(paper_b: str):
    docs = [Document("pa-court", WIRE_COURT, source="PA", published="1999-08-10T08:00:00+00:00"),
            Document("mirror-court", PAPER_A_COURT, source="Mirror", published="1999-08-10T09:00:00+00:00"),
            Document("sun-court", paper_b, source="Sun", published="1999-08-10T10:00:00+00:00")]
    shingles = fingerprint([normalize(d) for d in docs]).shingle_sets
    # B is short and closer in wording to the paper's version than to the whole wire
    # story: by strength alone it would hang from the paper
    matches = [match(0, 1, 0.85, 0.85, cos=0.85), match(0, 2, 0.35, 0.95, cos=0.45),
               match(1, 2, 0.4, 0.95, cos=0.75)]
    return docs, matches, shingles


def test_a_copy_of_wire_text_another_paper_also_took_attaches_to_the_wire():
    docs, matches, shingles = court_story(PAPER_B_FROM_WIRE)
    # all the Sun shares with the Mirror is in the wire story
    assert shared_beyond(shingles[2], shingles[1], shingles[0]) == 0.0
    [before] = build_trees(docs, matches, wire=frozenset({0}))
    assert before.parents == {1: 0, 2: 1}  # the rule the shingles change
    [tree] = build_trees(docs, matches, wire=frozenset({0}), shingles=shingles)
    assert tree.root == 0
    assert tree.parents == {1: 0, 2: 0}
    assert {tree.edges[2].a, tree.edges[2].b} == {0, 2}


def test_a_copy_sharing_what_another_paper_added_attaches_to_that_paper():
    docs, matches, shingles = court_story(PAPER_B_FROM_A)
    # the Sun also has the Mirror's own addition (the relatives in the gallery)
    assert shared_beyond(shingles[2], shingles[1], shingles[0]) > 0.2
    [tree] = build_trees(docs, matches, wire=frozenset({0}), shingles=shingles)
    assert tree.root == 0
    assert tree.parents == {1: 0, 2: 1}


# A wire story, a paper that rewrote it (too freely for a link to the wire), and a paper
# that ran the wire text and shares a few chance 3-grams with the first paper.
WIRE_CARTOON = (
    "The creator of the Harbour Lane comic strip, Walter Dene, is to retire after 41 years, his "
    "syndicate announced yesterday. Dene, who is recovering from heart surgery, said he had drawn "
    "his last strip in his studio in Hove. The strip appears in 1,900 newspapers in 30 countries and "
    "follows the misadventures of a lighthouse keeper and his cat, Biscuit. Dene said: I always "
    "promised myself I would stop while I still enjoyed it. The final daily strip will be published "
    "on March 4, and reruns will follow.")
PAPER_REWROTE = (
    "Cartoonist Walter Dene, 73, has put down his pen for good. The much-loved artist behind Harbour "
    "Lane is recovering from heart surgery and told friends he wanted more time with his six "
    "grandchildren. Fans of the grumpy lighthouse keeper have sent thousands of get-well cards to his "
    "seafront home.")
PAPER_FROM_WIRE = (
    "The creator of the Harbour Lane comic strip, Walter Dene, 73, is to retire after 41 years. Dene, "
    "who is recovering from heart surgery, said he had drawn his last strip in his studio in Hove. "
    "The strip appears in 1,900 newspapers in 30 countries. The final daily strip will be published "
    "on March 4.")
PAPER_ONLY_COMMON = (
    "Cartoon fans queued in Hove yesterday for a signed print. The artist's family said he is "
    "recovering from heart surgery at home and reads every card.")


def cartoon_story(paper: str):
    docs = [Document("pa-cartoon", WIRE_CARTOON, source="PA", published="1999-12-14T19:00:00+00:00"),
            Document("mirror-cartoon", PAPER_REWROTE, source="Mirror", published="1999-12-15T06:00:00+00:00"),
            Document("indy-cartoon", paper, source="Independent", published="1999-12-15T06:30:00+00:00")]
    shingles = fingerprint([normalize(d) for d in docs]).shingle_sets
    # the Mirror is not linked to the wire; the third paper is linked to both, and more
    # strongly (aligned sentences, cosine) to the Mirror
    matches = [match(0, 2, 0.3, 0.6, cos=0.35), match(1, 2, 0.35, 0.75, cos=0.45)]
    return docs, matches, shingles


def test_a_copy_of_wire_text_attaches_to_the_wire_the_paper_it_resembles_is_not_linked_to():
    docs, matches, shingles = cartoon_story(PAPER_FROM_WIRE)
    # it shares a few 3-grams with the Mirror that the wire lacks ("walter dene 73"), and
    # much of the wire that the Mirror lacks
    assert 0 < shared_beyond(shingles[2], shingles[1], shingles[0]) <= 0.1
    [before] = build_trees(docs, matches, wire=frozenset({0}))
    assert before.parents == {2: 1}
    trees = build_trees(docs, matches, wire=frozenset({0}), shingles=shingles)
    assert [(t.root, t.parents) for t in trees] == [(0, {2: 0})]
    assert {trees[0].edges[2].a, trees[0].edges[2].b} == {0, 2}


def test_a_copy_with_none_of_the_wires_own_wording_stays_under_the_paper():
    docs, matches, shingles = cartoon_story(PAPER_ONLY_COMMON)
    # the few 3-grams it shares with the Mirror are in the wire too, but it has nothing of
    # the wire that the Mirror lacks: nothing says it saw the wire
    assert shared_beyond(shingles[2], shingles[1], shingles[0]) == 0.0
    [tree] = build_trees(docs, matches, wire=frozenset({0}), shingles=shingles)
    assert tree.parents == {2: 1}


def test_shared_beyond_counts_the_material_taken_from_either_text():
    child, parent, other = (np.array(v, dtype=np.uint32) for v in ([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 3, 4], [2, 3, 4, 5, 6, 7, 8]))
    # 4 shared with the parent, 1 of them only there; 4 shared with the other only
    assert shared_beyond(child, parent, other) == 1 / 8
    assert shared_beyond(child, np.array([9], dtype=np.uint32), other) is None
