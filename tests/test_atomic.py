"""The atomic writers: a failed write leaves the old file as it was and no temporary file behind."""

import json
import threading

import pytest

from actionart_hf.atomic import (
    atomic_file,
    write_bytes_atomic,
    write_json_atomic,
    write_jsonl_atomic,
    write_text_atomic,
)


def test_an_exception_inside_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "table.md"
    target.write_text("old")
    with pytest.raises(RuntimeError, match="writer crashed"), atomic_file(target) as temporary:
        temporary.write_text("half of the new")
        assert temporary.parent == tmp_path and temporary.suffix == ".md" and temporary.name.startswith(".table.md.")
        raise RuntimeError("writer crashed")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["table.md"]


def test_a_generator_failing_midway_keeps_the_old_jsonl(tmp_path):
    target = tmp_path / "rows.jsonl"
    write_jsonl_atomic(target, [{"id": 1}])

    def rows():
        yield {"id": 2}
        raise ValueError("bad row")

    with pytest.raises(ValueError, match="bad row"):
        write_jsonl_atomic(target, rows())
    assert target.read_text() == '{"id": 1}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["rows.jsonl"]


def test_writers_create_folders_and_replace_content(tmp_path):
    assert write_text_atomic(tmp_path / "a" / "t.txt", "é\n").read_bytes() == "é\n".encode()
    assert write_bytes_atomic(tmp_path / "a" / "b.bin", b"\x00\x01", durable=True).read_bytes() == b"\x00\x01"
    path = write_json_atomic(tmp_path / "a" / "d.json", {"k": "é", "n": {1}}, default=sorted)
    assert path.read_text(encoding="utf-8") == '{\n  "k": "é",\n  "n": [\n    1\n  ]\n}\n'
    write_text_atomic(tmp_path / "a" / "t.txt", "new")
    assert (tmp_path / "a" / "t.txt").read_text() == "new"
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["b.bin", "d.json", "t.txt"]


def test_concurrent_writers_of_one_target_do_not_collide(tmp_path):
    target = tmp_path / "record.json"
    errors = []

    def write(index: int) -> None:
        try:
            for _ in range(20):
                write_json_atomic(target, {"writer": index}, durable=True)
        except Exception as error:  # pragma: no cover (reported below)
            errors.append(error)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and json.loads(target.read_text())["writer"] in range(4)
    assert [p.name for p in tmp_path.iterdir()] == ["record.json"]


def test_output_lock_refuses_a_second_writer_and_is_reentrant(tmp_path):
    import fcntl
    import os

    from actionart_hf.atomic import output_lock

    target = tmp_path / "out"
    with output_lock(target), output_lock(target):  # nested blocks of one run share the lock
        assert (tmp_path / ".out.lock").exists()
    assert not (tmp_path / ".out.lock").exists()  # removed on release
    descriptor = os.open(tmp_path / ".out.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)  # another run holds it
    try:
        with pytest.raises(ValueError, match="Another run is writing"), output_lock(target):
            pass
    finally:
        os.close(descriptor)


def test_a_run_killed_while_replacing_gets_its_old_output_back(tmp_path):
    from actionart_hf.atomic import staged_dir

    target = tmp_path / "out"
    (tmp_path / ".out.old-12345678").mkdir()  # killed between the two renames: the old output is aside
    (tmp_path / ".out.old-12345678" / "rows").write_text("old")
    (tmp_path / ".out.staging-87654321").mkdir()
    with pytest.raises(RuntimeError), staged_dir(target):
        assert (target / "rows").read_text() == "old"  # restored before the new build starts
        raise RuntimeError("this build fails too")
    assert (target / "rows").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    with staged_dir(target, check=lambda stage, final: (stage / "rows").read_text()) as stage:
        (stage / "rows").write_text("new")
    with pytest.raises(ValueError, match="refused"), staged_dir(target, check=_refuse) as stage:
        (stage / "rows").write_text("invalid")
    assert (target / "rows").read_text() == "new" and sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def _refuse(stage, target):
    raise ValueError(f"{target} refused")
