import pytest

import dedupe
from dedupe.config import AttributeOptions
from dedupe.stages.attribute import Derivation, attribute, is_wire_agency
from dedupe.stages.credits import find_credits
from dedupe.stages.outlets import outlet_key, same_outlet
from dedupe.errors import OptionsError
from dedupe.model import Document
from conftest import COPY_SEED, REWRITE_SEED, SEEDS

MPA = AttributeOptions(agencies={"mpa": "Meridian Press Agency", "meridian press agency": "Meridian Press Agency"})


def sources(text, **kw):
    return [c.source for c in find_credits(text, **kw)]


def test_wire_credit_forms():
    assert sources("LONDON (Reuters) - Shares fell on Monday.") == ["Reuters"]
    assert sources("NEW DELHI, April 27 (PTI) The government said on Sunday.") == ["PTI"]
    assert sources("Rescuers searched all night. — AP") == ["AP"]
    assert sources("By Helen William, PA News\nThe star arrived.") == ["PA"]
    assert sources("By Stephen Howard, Showbusiness Correspondent, PA News<\nThe star arrived.") == ["PA"]
    assert sources("Prices rose, according to AFP.") == ["AFP"]
    assert sources("The deal was signed, Xinhua reported.") == ["Xinhua"]
    assert sources("No credit in this plain sentence about April.") == []
    assert [c.source for c in find_credits("Text.\n(With agency inputs)")] == ["wire agency"]
    assert sources("Text.\n(With inputs from PTI)") == ["PTI"]


def test_copyright_and_republication_lines():
    assert sources("The show opened.\n© 2024 Reuters. All rights reserved.") == ["Reuters"]
    assert sources("The show opened.\nCopyright 2000 Press Association.") == ["PA"]
    assert sources("(c) Copyright Thomson Reuters 2024. Click for restrictions.") == ["Reuters"]
    assert sources("Copyright law was changed in the spring.") == []
    assert sources("This article first appeared in the Northfield Post and is republished with permission.") \
        == ["Northfield Post"]
    assert sources("The presenter first appeared on This Morning in 1988.") == []


def test_short_names_count_only_as_written():
    assert sources("He told pa about it.") == []
    assert sources("Ap and Pa went home. — Ap") == []
    assert [c.kind for c in find_credits("Hello, according to AP.")] == ["citation"]
    assert [c.strong for c in find_credits("LONDON (AP) - Hello.\nHe told AP.")] == [True, False]


def test_aggregator_credits(seeds):
    assert sources(seeds[COPY_SEED])[0] == "Live Mint"
    assert sources("Original Source: www.livemint.com date 2025")[0] == "livemint"
    assert outlet_key("www.livemint.com") == outlet_key("Live Mint") == "livemint"
    assert same_outlet("PA", "PA News") and same_outlet("The Guardian", "guardian")
    assert not same_outlet("Sun", "Sunday Mail") and not same_outlet("PA", "PAP")


def test_agency_list_is_configurable():
    text = "ASHFORD, March 18 (MPA) - The bridge closed.\nAdditional reporting by KNA."
    assert sources(text) == []
    assert sources(text, options=AttributeOptions(agencies=["KNA", "MPA"])) == ["MPA", "KNA"]
    assert sources(text, options=MPA) == ["Meridian Press Agency"]
    assert AttributeOptions().agency("Press Association") == "PA"
    assert AttributeOptions(agencies=["Reuters"]).agency("PA") is None
    assert is_wire_agency("PA News") and is_wire_agency("Reuters") and not is_wire_agency("Daily Ledger")
    assert is_wire_agency("Meridian Press Agency", MPA) and not is_wire_agency(None)


@pytest.mark.parametrize("kwargs, message", [
    ({"agencies": "Reuters"}, "not one string"),
    ({"agencies": {"": "Reuters"}}, "agencies must map names to names"),
    ({"agencies": [None]}, "agencies must map names to names"),
    ({"claim_contained": 1.5}, "claim_contained must be between 0 and 1"),
])
def test_options_are_checked(kwargs, message):
    with pytest.raises(OptionsError, match=message):
        AttributeOptions(**kwargs)


def test_corpus_outlets_and_their_acronyms_are_credits():
    text = "PORT CALDER (MPA) — A ferry hit the wall.\n\n— Daily Ledger"
    assert sources(text, outlets=["Meridian Press Agency", "Daily Ledger"]) == ["Meridian Press Agency", "Daily Ledger"]


def test_original_that_credits_another_outlet_is_not_the_source(seeds):
    doc = Document("menafn", seeds[COPY_SEED])
    origin = attribute(doc, [doc])
    assert origin.source == "Live Mint" and not origin.in_corpus and origin.relation == "copy"
    assert any("MENAFN" in e for e in origin.evidence)


def test_seeds_name_live_mint_with_the_menafn_text_closest():
    report = dedupe.scan([SEEDS]) if SEEDS.is_dir() else pytest.skip(f"seeds not found at {SEEDS}")
    [cluster] = report.clusters
    origin = cluster.original
    assert (origin.source, origin.id, origin.in_corpus, origin.relation) == ("Live Mint", COPY_SEED, False, "copy")
    assert origin.agencies == ("Reuters",) and not origin.wire
    assert origin.evidence[0] == f"{COPY_SEED} is a syndicated copy of Live Mint's story; " \
                                 "Live Mint's own text is not in the corpus"
    assert f"1 other text credits Live Mint: {REWRITE_SEED}" in origin.evidence
    assert {m.id: m.relation for m in cluster.members} == {COPY_SEED: "original", REWRITE_SEED: "rewrite"}


def test_original_keeps_own_outlet_and_lists_copy_credits():
    wire = Document("w", "PORT CALDER, March 14 (MPA) - A ferry hit the wall.", source="Meridian Press Agency",
                    published="2026-03-14T09:00:00+00:00")
    copy = Document("c", "A ferry hit the wall. (Reuters)")
    origin = attribute(wire, [wire, copy])
    assert origin.source == "Meridian Press Agency" and origin.in_corpus and origin.relation == "original"
    assert origin.evidence[:2] == ("w is Meridian Press Agency's own text",
                                   "w is the earliest published text (2026-03-14T09:00:00+00:00)")
    assert "w carries a dateline credit: '(MPA) -'" in origin.evidence


FERRY = ("A passenger ferry struck the harbour wall while docking at Port Calder on Saturday, injuring "
         "fourteen people, two of them seriously, the harbour master said.")


def test_earliest_published_text_wins_over_input_order():
    late = Document("late", FERRY, source="Daily Ledger", published="2026-03-14T11:00:00+00:00")
    early = Document("early", FERRY, source="Valley Courier", published="2026-03-14T08:30:00-04:00")  # 12:30 UTC
    first = Document("first", FERRY, source="Harbor Gazette", published="2026-03-14T10:00:00+00:00")
    origin = attribute(late, [late, early, first])
    assert origin.id == "first" and origin.source == "Harbor Gazette"
    assert origin.evidence[1] == ("first is the earliest published text (2026-03-14T10:00:00+00:00; "
                                  "next: late at 2026-03-14T11:00:00+00:00)")


def test_without_times_a_wire_agency_text_comes_first():
    paper = Document("sun-1", FERRY + " Locals were shocked.", source="sun")
    wire = Document("PA-1", "By Jo Bloggs, PA News\n" + FERRY, source="PA")
    links = [Derivation("PA-1", "sun-1", 0.7, 0.8)]
    origin = attribute(paper, [paper, wire], links)
    assert (origin.id, origin.source, origin.in_corpus, origin.wire) == ("PA-1", "PA", True, True)
    assert "no publication times: decided by credits and containment" in origin.evidence
    assert any(e.startswith("PA-1 is the wire agency PA's own text") and "starts at sun-1" in e
               for e in origin.evidence)
    # without PA on the agency list, the derivation tree's first text stays the original
    plain = attribute(paper, [paper, wire], links, AttributeOptions(agencies=["Reuters"]))
    assert (plain.id, plain.source, plain.wire) == ("sun-1", "sun", False)


def test_equal_times_are_not_decisive():
    a = Document("a", FERRY, source="Daily Ledger", published="2026-03-15T06:00")
    b = Document("b", "By Jo Bloggs, PA News\n" + FERRY, source="PA", published="2026-03-15T06:00")
    origin = attribute(a, [a, b])
    assert origin.id == "b"
    assert origin.evidence[1] == "2 texts share the earliest time (2026-03-15T06:00): decided by credits and containment"


def test_a_text_that_credits_an_outlet_in_the_corpus_points_at_its_text():
    copy = Document("copy", "PORT CALDER (Reuters) - " + FERRY, source="City Post", published="2026-03-14T08:00")
    wire = Document("wire", FERRY + " More follows.", source="Reuters", published="2026-03-14T09:00")
    origin = attribute(copy, [copy, wire])
    assert (origin.id, origin.source, origin.in_corpus) == ("wire", "Reuters", True)
    assert "copy credits Reuters, whose own text wire is in the corpus" in origin.evidence


def test_conflicting_claim_is_overruled_and_shown():
    wire = Document("mpa", "PORT CALDER (MPA) - " + FERRY, source="Meridian Press Agency",
                    published="2026-03-14T09:00:00+00:00")
    claimant = Document("ledger", "By Jo Bloggs, Daily Ledger\n" + FERRY, source="Daily Ledger",
                        published="2026-03-14T11:00:00+00:00")
    origin = attribute(wire, [wire, claimant], [Derivation("ledger", "mpa", 0.9, 0.85)])
    assert origin.id == "mpa" and origin.source == "Meridian Press Agency"
    assert ("conflict: ledger presents itself as original (has a byline credit: 'By Jo Bloggs, Daily Ledger'), "
            "but it was published after mpa and 90% of its text is in mpa; rule: time and containment outweigh "
            "what a text says about itself, so it counts as derived") in origin.evidence
    # a claimant that shares little is not called a copy
    loose = attribute(wire, [wire, claimant], [Derivation("ledger", "mpa", 0.3, 0.3)])
    assert not any(e.startswith("conflict:") for e in loose.evidence)


def test_page_metadata_is_evidence():
    page = Document("page.html", FERRY, source="Bayside Bulletin", published="2026-03-14T13:20:00+00:00",
                    meta={"author": "Reuters", "canonical": "https://www.citypost.example/ferry"})
    origin = attribute(page, [page])
    assert origin.source == "Reuters" and not origin.in_corpus and origin.relation == "derived"
    assert "page.html names 'Reuters' as its author" in origin.evidence
    assert "page.html has a canonical link to citypost.example" in origin.evidence
    own = Document("own.html", FERRY, source="City Post", meta={"canonical": "https://www.citypost.example/ferry"})
    assert attribute(own, [own]).source == "City Post"


def test_wire_reuse_is_recorded():
    paper = Document("paper", FERRY + "\n(With AP inputs)", source="Daily Ledger", published="2026-03-14T10:00")
    other = Document("other", FERRY + " Officials were quoted by AFP.", source="City Post",
                     published="2026-03-14T12:00")
    origin = attribute(paper, [paper, other])
    assert origin.source == "Daily Ledger" and origin.in_corpus
    assert origin.agencies == ("AFP", "AP")
    assert "wire reuse: paper uses material from AP" in origin.evidence
    assert "wire reuse: other uses material from AFP" in origin.evidence


# Agency stories and newspaper copies in Urdu, Chinese and Russian, written for these tests.
APP_URDU = ("اسلام آباد، 5 مارچ (اے پی پی) - وزیراعظم نے ہفتہ کو وفاقی کابینہ کے اجلاس کی صدارت کی جس میں "
            "بجلی کے نرخوں میں کمی کی منظوری دی گئی۔ اجلاس میں وزیر خزانہ نے معیشت پر بریفنگ دی۔")
PAPER_URDU = ("اسلام آباد (اے پی پی) وزیراعظم نے ہفتہ کو وفاقی کابینہ کے اجلاس کی صدارت کی جس میں بجلی کے "
              "نرخوں میں کمی کی منظوری دی گئی۔ اجلاس میں وزیر خزانہ نے معیشت پر بریفنگ دی۔")
XINHUA = ("新华社北京3月5日电（记者王磊）国务院总理5日在政府工作报告中表示，今年国内生产总值增长预期目标为5%左右。"
          "报告提出，要扩大国内需求，稳定就业。")
PAPER_CHINESE = ("新华社北京3月5日电 国务院总理5日在政府工作报告中表示，今年国内生产总值增长预期目标为5%左右。"
                 "报告提出，要扩大国内需求，稳定就业。（编辑：李明）")
AFP_RUSSIAN = ("ПАРИЖ, 5 марта (АФП) – Во Франции в среду прошла общенациональная забастовка против пенсионной "
               "реформы. По данным профсоюзов, на улицы вышли более миллиона человек.")
PAPER_RUSSIAN = ("Париж (АФП) – Во Франции в среду прошла общенациональная забастовка против пенсионной реформы. "
                 "По данным профсоюзов, на улицы вышли более миллиона человек, сообщает агентство.")


def test_datelines_in_other_scripts_name_the_agency():
    assert sources(APP_URDU) == sources(PAPER_URDU) == sources("ISLAMABAD, March 5 (APP) - The cabinet met.") == ["APP"]
    assert sources("نئی دہلی (پی ٹی آئی) مرکزی حکومت نے پیر کو نئی تعلیمی پالیسی کا اعلان کیا۔") == ["PTI"]
    assert sources("नई दिल्ली (पीटीआई) केंद्र सरकार ने सोमवार को नई शिक्षा नीति की घोषणा की।") == ["PTI"]
    assert sources(XINHUA) == sources("据新华社北京3月5日电，国务院总理表示。") == ["Xinhua"]
    assert sources("中新社上海3月6日电 上海市今日发布新规。") == ["China News Service"]
    assert sources("迪拜（路透社）——也门南部分裂分子周三宣布退出协议委员会。") == ["Reuters"]
    assert sources(AFP_RUSSIAN) == ["AFP"]
    assert sources("МОСКВА, 5 марта. /ТАСС/. Президент России провел совещание с членами правительства.") == ["TASS"]
    assert sources("ТЕГЕРАН (ИРНА) – Министр иностранных дел Ирана прибыл в Москву.") == ["IRNA"]
    assert [c.kind for c in find_credits(APP_URDU)] == ["script dateline"]
    assert [c.kind for c in find_credits(XINHUA)] == ["dispatch dateline"]
    assert is_wire_agency("اے پی پی") and is_wire_agency("新华社") and is_wire_agency("ТАСС")
    assert same_outlet("اے پی پی", "APP") and same_outlet("新华社", "Xinhua") and not same_outlet("新华社", "路透社")
    # a custom agency list gets the other spellings of the names it has
    assert sources("迪拜（路透社）——也门南部分裂分子周三宣布退出协议委员会。",
                   options=AttributeOptions(agencies=["Reuters"])) == ["Reuters"]
    # an agency off the list is still a credit, as written, but not a wire agency
    assert sources(XINHUA, options=AttributeOptions(agencies=["Reuters"])) == ["新华社"]
    assert not is_wire_agency("新华社", AttributeOptions(agencies=["Reuters"]))


def test_unknown_names_count_only_where_a_dateline_stands():
    # an agency not on the list, as written, after a place and date or before a dash
    assert sources("الشهيد الحافظ، 18 يونيو 2020 (واص) - أشاد المكتب الدائم للأمانة الوطنية بجهود الجيش.") == ["واص"]
    assert sources("کراچی (آن لائن) - سندھ حکومت نے صوبے میں تعلیمی ادارے بند کرنے کا اعلان کیا۔") == ["آن لائن"]
    assert same_outlet("واص", "واص") and not same_outlet("واص", "آن لائن")


@pytest.mark.parametrize("text", [
    "وزیراعظم نے (ہفتہ) کو کابینہ کا اجلاس طلب کر لیا۔",                    # a weekday in a sentence
    "تحریک انصاف (پی ٹی آئی) کے چیئرمین نے جلسے سے خطاب کیا۔",              # an acronym explained
    "مسلم لیگ (ن) کے رہنما نے پریس کانفرنس کی۔",
    "لاہور، 5 مارچ (نمائندہ خصوصی) پنجاب حکومت نے نئے بجٹ کی منظوری دے دی۔",  # the paper's own reporter
    "القاهرة ”المدينة التي لا تنام“ (صور) أغلقت المحلات أبوابها مساء الأربعاء.",  # "(photos)"
    "Всемирная организация здравоохранения (ВОЗ) — специализированное учреждение ООН.",
    "Народный банк Китая (НБК) заявил на своем сайте о снижении ставки.",
    "Клиентка Элиз Своупс (справа) делает покупку в магазине.",
    "棕榈湾整修：1,000,000 美元（进行中） 23. 珊瑚礁生态水下雕塑。",
    "本报北京3月5日电（记者张三）国务院今天召开常务会议。",                   # the paper's own dispatch
    "他说：“（我想）签下更多的大牌拳手。”",
    "Prace trwały w Łańcucie (Łańcut). Wszystkie drogi są otwarte.",       # Latin names: the Latin rule
])
def test_parentheses_in_sentences_are_not_credits(text):
    assert find_credits(text) == []


def test_agency_is_the_source_of_its_copies_in_other_scripts():
    for agency_text, copy_text, agency, paper in [(APP_URDU, PAPER_URDU, "اے پی پی", "روزنامہ مشرق"),
                                                  (XINHUA, PAPER_CHINESE, "新华社", "南方日报"),
                                                  (AFP_RUSSIAN, PAPER_RUSSIAN, "АФП", "Вечерний Город")]:
        copy = Document("paper", copy_text, source=paper, published="2026-03-05T08:00:00+00:00")
        alone = attribute(copy, [copy])
        assert (alone.source, alone.in_corpus, alone.relation, alone.wire) == (
            AttributeOptions().agency(agency), False, "copy", True), paper
        # the agency's own text is in the corpus, stamped later than the paper's copy: the copy
        # credits the agency, so the agency's text is the original, not the paper's
        wire = Document("wire", agency_text, source=agency, published="2026-03-05T09:00:00+00:00")
        origin = attribute(copy, [copy, wire])
        assert (origin.id, origin.source, origin.in_corpus) == ("wire", agency, True), paper
        assert f"paper credits {agency}, whose own text wire is in the corpus" in origin.evidence
        # without times, the agency's own text comes first
        untimed = [Document(d.id, d.text, source=d.source) for d in (copy, wire)]
        assert attribute(untimed[0], untimed).id == "wire"


def test_sample_corpus_sources(sample_docs):
    report = dedupe.scan(sample_docs)
    found = {c.original.id: c.original for c in report.clusters}
    assert {i: (o.source, o.in_corpus) for i, o in found.items()} == {
        "mpa-ferry": ("Meridian Press Agency", True), "northfield-post-trees": ("Northfield Post", True),
        "daily-ledger-kestrel": ("Daily Ledger", True), "mpa-bridge": ("Meridian Press Agency", True)}
    assert ("4 other texts credit Meridian Press Agency: northfield-post-ferry, daily-ledger-ferry, "
            "valley-courier-ferry, harbor-gazette-ferry") in found["mpa-ferry"].evidence
    assert "1 other text credits Northfield Post: newshub-trees-copy" in found["northfield-post-trees"].evidence
    assert "wire reuse: coastline-today-kestrel uses material from an unnamed agency" \
        in found["daily-ledger-kestrel"].evidence


def _plain_patterns():
    """The patterns as first written, before they were rearranged for the regex engine's sake."""
    import re

    from dedupe.stages.credits import _CITING, _NAME, _PATTERNS

    plain = dict((kind, pattern) for kind, _, pattern in _PATTERNS)
    plain["byline"] = re.compile(r"\bBy[ \t]+(?P<byline>[^\n<]{2,160})")
    plain["citation"] = re.compile(rf"{_CITING}|(?P<before>{_NAME})[ \t]+(?i:reported)\b")
    return plain


def test_find_equals_every_plain_pattern_over_the_whole_text(seeds, sample_docs):
    """find() skips texts by words and gates and searches citations only around their words:
    it must find what the plain patterns find, run on every whole text."""
    import json

    from conftest import SHARED
    from dedupe.stages.credits import _PATTERNS, Credit, CreditFinder, _quote

    texts = [d["text"] for d in sample_docs] + list(seeds.values())
    for name in ("meter_showbiz", "news_story_chains", "reuters21578", "semeval2022_task8"):
        path = SHARED / "data" / name / "docs.jsonl"
        if path.exists():
            with open(path, encoding="utf-8") as fh:
                texts += [json.loads(line)["text"] for _, line in zip(range(1500), fh)]
    texts += [t.replace("said", "reported") for t in texts[:300]] + [
        "Oil rose, Reuters reported.", "(Reuters) told AFP reported, according to dpa - Xinhua",
        "AFP Reported Xinhua reported", "according to AFP reportedly", "x\u0130 according to AFP",
        "told  AP.\nAccording to\tReuters, Xinhua reported -- AFP", "ReportedAP reported"]
    plain = _plain_patterns()
    finder = CreditFinder(AttributeOptions(), ["Meridian Press Agency", "City Post"])
    for text in texts:
        found = [(m.start(), Credit(name, f"{reason}: {_quote(m)}", kind))
                 for kind, reason, _ in _PATTERNS for m in plain[kind].finditer(text)
                 for name in [finder._named(kind, m)] if name]
        assert finder.find(text) == [c for _, c in sorted(found, key=lambda t: t[0])], text[:80]


def test_pattern_word_tests_skip_only_texts_without_matches(seeds, sample_docs):
    """find() runs a pattern only on texts with one of its words (and the citation's second form
    only on texts saying "reported"): no match may be lost that way."""
    import re
    import string
    import sys

    from dedupe.stages.credits import _ALSO_NEEDS, _GATES, _NEEDS, _PATTERNS, _SCRIPTS, _SHORTCUTS, _UNLOWERED, CreditFinder

    texts = [d["text"] for d in sample_docs] + list(seeds.values()) + [
        "Prices rose, according to AFP.", "He told Reuters on Monday.", "Additional reporting by PA News staff",
        "xAFP quoted by Xinhua.", "Reporting by Jane Doe; editing by Bob", "The deal, Xinhua REPORTED.",
        "COPYRIGHT (C) 2020 Kyodo", "This Article Was First Published In The Daily Planet",
        "(WITH AGENCY INPUTS)", "ORIGINAL SOURCE: www.livemint.com", "MENAFN - Live Mint) x",
        "- Reuters", "Talks ended.\n  — AFP", "Shares fell.—Xinhua", "ok\t- dpa.", "3M reported a loss",
        "éAP reported", "xBy Jo, PA News", "_By Jo, AP", "A B C D E F reported", "Abc Def Ghi Jkl Mno Pqr reported",
        "This story first\nran in the City Post.", "Column ORIGINALLY APPEARED ON The Wire", "Reprinted courtesy of AP",
        "Post has first published by Meridian Press Agency", "Republished from www.livemint.com",
        APP_URDU, XINHUA, "据新華社北京3月5日電", "迪拜（路透社）——也门", "МОСКВА, 5 марта. /ТАСС/. Президент"]
    plain = _plain_patterns()
    finder = CreditFinder(AttributeOptions(), ["Meridian Press Agency", "City Post"])
    seen = dict.fromkeys(_NEEDS, 0)
    for text in texts + [t.replace("said", "told") for t in texts] + [t.replace("said", "reported") for t in texts]:
        lowered = text.lower()
        for kind, _, pattern in _PATTERNS:
            found = [(m.start(), m.group(0), m.groupdict()) for m in pattern.finditer(text)]
            assert found == [(m.start(), m.group(0), m.groupdict()) for m in plain[kind].finditer(text)]
            if found and kind in _NEEDS:
                assert any(word in lowered for word in _NEEDS[kind]), (kind, text[:80])
            if found and kind in _ALSO_NEEDS:
                assert any(word in lowered for word in _ALSO_NEEDS[kind]), (kind, text[:80])
            seen[kind] += bool(found)
            if found and kind in _SCRIPTS and text.isascii():  # find() skips ASCII texts for these kinds
                assert not any(finder._named(kind, m) for m in pattern.finditer(text)), (kind, text[:80])
            if found and kind in _GATES:
                assert _GATES[kind][0].match(text) or _GATES[kind][1].search(text), (kind, text[:80])
        word, shortcut = _SHORTCUTS["citation"]
        if word not in lowered:
            full = dict((kind, pattern) for kind, _, pattern in _PATTERNS)["citation"]
            assert ([(m.start(), m.group(0), m.group("name")) for m in shortcut.finditer(text)]
                    == [(m.start(), m.group(0), m.group("name")) for m in full.finditer(text)])
    assert all(seen.values()), seen  # every word test was put to the test
    # every character a case-insensitive pattern matches with an ASCII letter lowers to that letter,
    # but for the few that find() looks out for
    every = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    for letter in string.ascii_lowercase:
        odd = {m.group() for m in re.finditer(f"(?i:{letter})", every)} - {letter, letter.upper()}
        assert all(c.lower() == letter or c in _UNLOWERED for c in odd), (letter, odd)
    assert sources("Prices rose, accordıng to AFP.") == ["AFP"]  # dotless i: every pattern runs
    assert sources("The deal was signed, Xinhua REPORTED.") == ["Xinhua"]


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{title} - {site}</title>
<link rel="canonical" href="{canonical}">
<meta property="og:site_name" content="{site}">
<meta property="og:title" content="{title}">
<meta property="article:published_time" content="{published}">
</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/business">Business</a></nav>
<article><h1>{title}</h1>
{body}
</article>
<footer>Copyright 2026 {site}. All rights reserved.</footer>
</body></html>
"""
_STORY = [
    "Officials in Lisbon said on Tuesday that the city would close its oldest tram line for six months "
    "from April so that engineers can replace the track, the overhead wires and the signalling along the route.",
    "The line, which climbs from the river through the Alfama district, carries about 14,000 passengers a day, "
    "most of them tourists, and its yellow cars have become one of the most photographed sights in Portugal.",
    "Carris, the municipal transport company, said replacement buses would run every eight minutes during "
    "the day, and that the closure had been timed to finish before the busiest weeks of the summer season.",
    "Residents of the neighbourhood have complained for years about vibration and noise from the ageing cars, "
    "and a petition signed by more than 3,000 people asked the council to limit the number of trams at night.",
    "The mayor, Carlos Moedas, told reporters that the work would cost 38 million euros, most of it from "
    "European recovery funds, and that the line would reopen with quieter cars and a new stop near the cathedral.",
]


def _page(tmp_path, name, site, canonical, published, paragraphs):
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    path = tmp_path / name
    path.write_text(_PAGE.format(site=site, canonical=canonical, published=published, body=body,
                                 title="Lisbon to close its oldest tram line for six months"), encoding="utf-8")
    return path


def test_a_canonical_link_to_the_pages_own_site_is_a_claim_not_a_credit(tmp_path):
    _page(tmp_path, "nyt.html", "The New York Times",
          "https://www.nytimes.com/2026/03/17/world/europe/lisbon-tram-closure.html", "2026-03-17T06:00:00+00:00",
          _STORY)
    _page(tmp_path, "herald.html", "Lakeside Herald", "https://www.lakesideherald.com/world/lisbon-tram-line",
          "2026-03-17T11:30:00+00:00",
          [*_STORY[:4], "This article originally appeared in The New York Times."])
    report = dedupe.scan([str(tmp_path)])
    [cluster] = report.clusters
    origin = cluster.original
    assert (origin.id, origin.source, origin.in_corpus, origin.relation) == (
        "nyt.html", "The New York Times", True, "original")
    assert "nyt.html has a canonical link to its own site nytimes.com" in origin.evidence
    assert not any("nytimes" in e and "its own site" not in e for e in origin.evidence)
    relations = {m.id: (m.relation, m.of) for m in cluster.members}
    assert relations["herald.html"][1] == "nyt.html" and relations["herald.html"][0] != "original"


@pytest.mark.parametrize("host, outlet, own", [
    ("www.nytimes.com", "The New York Times", True),
    ("www.latimes.com", "Los Angeles Times", True),
    ("www.wsj.com", "The Wall Street Journal", True),
    ("www.theguardian.com", "The Guardian", True),
    ("www.bbc.co.uk", "BBC News", True),
    ("edition.cnn.com", "CNN", True),
    ("www.livemint.com", "Live Mint", True),
    ("www.nytimes.com", "Lakeside Herald", False),
    ("www.reuters.com", "The New York Times", False),
    ("www.nypost.com", "The New York Times", False),
    ("www.ft.com", "The Times", False),
])
def test_own_site_is_the_site_name_spelled_as_a_domain(host, outlet, own):
    from dedupe.stages.outlets import is_own_site

    assert is_own_site(host, outlet) is own
