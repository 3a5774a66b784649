import time
import uuid

from backend.ids import uuid7


def test_ids_are_version_7_with_the_rfc_variant():
    value = uuid7()
    assert value.version == 7
    assert value.variant == uuid.RFC_4122


def test_ids_carry_the_current_time_in_milliseconds():
    before = time.time_ns() // 1_000_000
    value = uuid7()
    after = time.time_ns() // 1_000_000
    assert before <= value.int >> 80 <= after + 1


def test_ids_made_in_a_burst_are_unique_and_sorted():
    burst = [uuid7() for _ in range(20_000)]
    assert len(set(burst)) == len(burst)
    assert burst == sorted(burst)
