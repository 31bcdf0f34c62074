"""The reflection journal: atomic autosave, nothing lost, headless Markdown."""
import json
import threading

import pytest

from gapkit import journal as J
from gapkit.journal import Journal, JournalError, reflection_markdown, word_count


@pytest.fixture
def journal(tmp_path):
    return Journal(tmp_path / "reflections.json")


class TestJournalPath:
    def test_argument_wins_over_environment(self, tmp_path, monkeypatch):
        """Does an explicit path win over GAPKIT_JOURNAL?"""
        monkeypatch.setenv("GAPKIT_JOURNAL", str(tmp_path / "env.json"))
        assert Journal(tmp_path / "arg.json").path == tmp_path / "arg.json"

    def test_environment_variable(self, tmp_path, monkeypatch):
        """Is GAPKIT_JOURNAL used when no path is given?"""
        monkeypatch.setenv("GAPKIT_JOURNAL", str(tmp_path / "env.json"))
        assert Journal().path == tmp_path / "env.json"

    def test_default_is_working_folder(self, tmp_path, monkeypatch):
        """Without argument or variable, is the journal reflections.json next to the notebook (cwd)?"""
        monkeypatch.delenv("GAPKIT_JOURNAL", raising=False)
        monkeypatch.chdir(tmp_path)
        assert Journal().path == tmp_path / "reflections.json"

    def test_bad_path_type(self):
        """Is a non-path refused with the argument named?"""
        with pytest.raises(TypeError, match="`path` must be a file path"):
            Journal(42)


class TestSaveAndRead:
    def test_round_trip(self, journal):
        """Is a saved reflection read back by a new Journal on the same file?"""
        entry = journal.save_reflection("r1", "Grade 5 newcomers.\n\nSecond paragraph.")
        assert entry.words == 5  # Grade, 5, newcomers, Second, paragraph
        assert Journal(journal.path).reflection("r1") == "Grade 5 newcomers.\n\nSecond paragraph."

    def test_missing_answer_is_empty(self, journal):
        """Is an unanswered reflection the empty string, without creating the file?"""
        assert journal.reflection("nothing") == ""
        assert not journal.path.exists()

    def test_file_format(self, journal):
        """Is the file the documented versioned JSON (format, version, sections)?"""
        journal.save_reflection("r1", "é ü 文字")
        data = json.loads(journal.path.read_text(encoding="utf-8"))
        assert data["format"] == "gapkit-journal" and data["version"] == 1
        assert data["reflections"]["r1"]["text"] == "é ü 文字"
        assert set(data) >= {"reflections", "checks", "plans"}

    def test_other_answers_kept(self, journal):
        """Does saving one answer keep the others, including those written by another process?"""
        journal.save_reflection("r1", "one")
        other = Journal(journal.path)
        other.save_reflection("r2", "two")
        journal.put("plans", "p1", {"goal": "x"})
        fresh = Journal(journal.path)
        assert fresh.reflection("r1") == "one" and fresh.reflection("r2") == "two"
        assert fresh.get("plans", "p1") == {"goal": "x"}

    def test_concurrent_writers_lose_nothing(self, journal):
        """Do 4 threads x 25 saves on the same file all survive (lock + re-read)?"""
        def work(k):
            j = Journal(journal.path)
            for i in range(25):
                j.save_reflection(f"r{k}-{i}", f"text {k} {i}")
        threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(journal.read()["reflections"]) == 100

    def test_atomic_write_keeps_old_file_when_replace_fails(self, journal, monkeypatch):
        """If the final rename fails, is the previous journal intact and no temp file left behind?"""
        journal.save_reflection("r1", "kept")

        def boom(src, dst):
            raise OSError(28, "No space left on device")
        monkeypatch.setattr(J.os, "replace", boom)
        with pytest.raises(JournalError, match="Cannot save to"):
            journal.save_reflection("r1", "new")
        monkeypatch.undo()
        assert Journal(journal.path).reflection("r1") == "kept"
        assert [p.name for p in journal.path.parent.iterdir() if p.suffix == ".tmp"] == []

    def test_bad_section(self, journal):
        """Is an unknown section refused, naming the allowed ones?"""
        with pytest.raises(ValueError, match="`section` \\('notes'\\) not recognized"):
            journal.put("notes", "k", 1)

    def test_bad_id(self, journal):
        """Is an empty reflection id refused with the argument named?"""
        with pytest.raises(ValueError, match="`reflection_id` must be a non-empty string"):
            journal.save_reflection("", "x")


class TestUnreadableJournal:
    @pytest.mark.parametrize("content", [b"{not json", b"\xff\xfe garbage", b'{"format": "other"}', b"[1, 2]"])
    def test_moved_aside_never_overwritten(self, journal, content):
        """Is an unreadable journal kept byte for byte under a new name, with a message naming it?"""
        journal.path.write_bytes(content)
        journal.save_reflection("r1", "new answer")
        backups = list(journal.path.parent.glob("reflections.unreadable-*.json"))
        assert len(backups) == 1
        assert backups[0].read_bytes() == content
        assert backups[0].name in journal.problem
        assert Journal(journal.path).reflection("r1") == "new answer"

    def test_two_backups_do_not_collide(self, journal):
        """Does a second corrupt file in the same second get its own backup name?"""
        for content in (b"{bad", b"{worse"):
            journal.path.write_bytes(content)
            Journal(journal.path).read()
        backups = sorted(p.read_bytes() for p in journal.path.parent.glob("reflections.unreadable-*.json"))
        assert backups == [b"{bad", b"{worse"]

    def test_cannot_open(self, journal):
        """Is a journal path that cannot be opened (here a folder) reported, and left untouched?"""
        journal.path.mkdir()
        with pytest.raises(JournalError, match="Cannot read the journal"):
            journal.read()
        assert journal.path.is_dir()


class TestWordCount:
    def test_words(self):
        """Are contractions and hyphenated words one word each, punctuation none? (counted by hand)"""
        assert word_count("It's a well-known gap -- 12 points!") == 6
        assert word_count("   ") == 0


class TestReflectionMarkdown:
    def test_empty_answer(self):
        """Does an empty answer say clearly that nothing was written?"""
        assert "_No answer was written._" in reflection_markdown("r1", "  \n")

    def test_answer_shown_escaped(self):
        """Is the text shown as typed: HTML and Markdown markup neutralised, paragraphs kept?"""
        md = reflection_markdown("r1", "Use <script>x</script> and *stars*\n\nSecond")
        assert "**Your reflection**" in md
        assert "&lt;script&gt;" in md and "<script>" not in md
        assert "\\*stars\\*" in md
        assert md.count("> ") >= 2
        assert "_7 words._" in md  # Use script x script and stars Second


class TestConflicts:
    def test_newer_answer_never_replaced(self, journal):
        """When another page saved since this one read, is the newer answer kept and this text kept beside it?"""
        first = journal.save_reflection("r1", "start")
        other = Journal(journal.path).save_reflection("r1", "newer, from the other tab", base_revision=first.revision)
        stale = journal.save_reflection("r1", "stale tab typing", base_revision=first.revision, writer="tab-a")
        assert stale.conflict and not other.conflict
        assert Journal(journal.path).reflection("r1") == "newer, from the other tab"
        copies = journal.conflict_copies("reflections", "r1")
        assert [c["value"]["text"] for c in copies] == ["stale tab typing"]

    def test_one_copy_per_writer(self, journal):
        """Does a stale page that keeps typing update its one copy instead of piling up copies?"""
        journal.save_reflection("r1", "a")
        Journal(journal.path).save_reflection("r1", "b")
        for text in ("s", "st", "sta"):
            journal.save_reflection("r1", text, base_revision=1, writer="tab-a")
        assert [c["value"]["text"] for c in journal.conflict_copies("reflections", "r1")] == ["sta"]

    def test_revisions_count_saves(self, journal):
        """Does each save raise the revision by one, starting from 0 for an unsaved answer?"""
        assert journal.revision("reflections", "r1") == 0
        assert journal.save_reflection("r1", "a").revision == 1
        assert journal.save_reflection("r1", "ab", base_revision=1).revision == 2
        assert journal.put("plans", "p", {"title": "x"}).revision == 1

    def test_file_from_before_revisions(self, journal):
        """Is an answer saved before revisions were kept at revision 1, so a page that read it can save?"""
        journal.path.write_text(json.dumps({"format": "gapkit-journal", "version": 1, "reflections": {
            "r1": {"text": "old", "words": 1, "saved_at": "2025-01-01T00:00:00+00:00"}}, "checks": {}, "plans": {}}))
        assert journal.entry("r1").revision == 1
        assert not journal.save_reflection("r1", "old and more", base_revision=1).conflict


class TestSizeLimit:
    def test_oversized_answer_refused_and_old_kept(self, journal):
        """Is an answer over the limit refused with its length and the limit, and the saved one left as it was?"""
        journal.save_reflection("r1", "short answer")
        with pytest.raises(J.AnswerTooLong, match=r"20,001 characters long; the longest that can be saved is 20,000"):
            journal.save_reflection("r1", "x" * (J.MAX_ANSWER_CHARS + 1))
        assert journal.reflection("r1") == "short answer"

    def test_limit_itself_is_saved(self, journal):
        """Is an answer of exactly the limit saved?"""
        journal.save_reflection("r1", "y" * J.MAX_ANSWER_CHARS)
        assert len(journal.reflection("r1")) == J.MAX_ANSWER_CHARS

    def test_oversized_value_refused(self, journal):
        """Is a plan whose JSON is over the byte limit refused?"""
        with pytest.raises(J.AnswerTooLong, match="bytes"):
            journal.put("plans", "p", {"strategy": "z" * J.MAX_VALUE_BYTES})


class TestRecoverySeenEverywhere:
    def test_second_page_learns_of_recovery(self, journal):
        """After one page moves a corrupt journal aside, does a page opened earlier get the message too?"""
        other = Journal(journal.path)
        journal.save_reflection("r1", "before")
        other.read()
        journal.path.write_text("{broken")
        journal.save_reflection("r2", "after")  # this page finds the damage and starts a new journal
        assert journal.problem and "could not be read" in journal.problem
        other.read()
        assert other.problem == journal.problem
        backup = next(journal.path.parent.glob("reflections.unreadable-*.json"))
        assert backup.name in other.problem and str(backup.parent) not in other.problem

    def test_new_journal_written_at_once(self, journal):
        """Is the new journal on disk with its note before any answer is saved into it?"""
        journal.path.write_text("[]")
        journal.read()
        data = json.loads(journal.path.read_text())
        assert data["recovered"][0]["backup"].startswith("reflections.unreadable-")


class TestSubmissions:
    def test_snapshot_holds_only_the_keys(self, journal, tmp_path):
        """Does a submission snapshot hold the named graded answers and none of the private ones?"""
        journal.save_reflection("graded", "for the facilitator")
        journal.save_reflection("private", "only for me")
        path = journal.snapshot(["graded", "missing"], tmp_path / "m01" / "reflections.json")
        data = json.loads(path.read_text())
        assert data["reflections"] == {"graded": journal.read()["reflections"]["graded"]}
        assert Journal(path).reflection("graded") == "for the facilitator"

    def test_record_submission(self, journal):
        """Is the revision of each submitted answer recorded with the assignment?"""
        journal.save_reflection("graded", "v1")
        journal.record_submission("m01", ["graded"], at="2025-03-01T10:00:00+00:00")
        assert journal.submission("m01") == {"at": "2025-03-01T10:00:00+00:00",
                                             "revisions": {"reflections/graded": 1}}
        assert journal.submission("m02") is None


class TestAfterRecovery:
    def test_open_page_restores_its_answer(self, journal):
        """After a damaged journal was started again, does a page's next save restore its answer (no conflict)?"""
        first = journal.save_reflection("r1", "typed before the damage")
        journal.path.write_text("{damaged")
        Journal(journal.path).read()  # another page finds it and starts a new journal
        again = journal.save_reflection("r1", "typed before the damage, and more", base_revision=first.revision)
        assert not again.conflict
        assert Journal(journal.path).reflection("r1") == "typed before the damage, and more"
