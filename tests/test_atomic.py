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
