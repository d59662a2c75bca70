"""The key ring seals values bound to their record and refuses anything else."""

from __future__ import annotations

import base64
import re

import pytest

from kubeconnector.crypto import KeyRing, key_id_of, new_kid
from kubeconnector.errors import CryptoError

AAD = b"connector:0b9c6f1e-0000-4000-8000-000000000001:kubeconfig"
SECRET = b"apiVersion: v1\nkind: Config\nusers:\n- user:\n    token: s3cr3t-token\n"


def _body(sealed: str) -> bytes:
    data = sealed.split(":")[2]
    return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))


def _with_body(sealed: str, body: bytes) -> str:
    prefix = sealed.rsplit(":", 1)[0]
    return f"{prefix}:{base64.urlsafe_b64encode(body).rstrip(b'=').decode()}"


def test_a_sealed_value_opens_to_the_original_bytes() -> None:
    ring = KeyRing.generate("k1")
    assert ring.decrypt(ring.encrypt(SECRET, AAD), AAD) == SECRET


def test_the_sealed_text_names_the_format_and_the_key_id() -> None:
    ring = KeyRing.generate("k1")
    sealed = ring.encrypt(SECRET, AAD)
    assert re.fullmatch(r"kc1:k1:[A-Za-z0-9_-]+", sealed)
    assert key_id_of(sealed) == "k1"
    assert len(_body(sealed)) == 12 + len(SECRET) + 16


def test_each_encryption_uses_a_fresh_nonce() -> None:
    ring = KeyRing.generate()
    first, second = ring.encrypt(SECRET, AAD), ring.encrypt(SECRET, AAD)
    assert first != second
    assert _body(first)[:12] != _body(second)[:12]


def test_a_value_moved_to_another_record_does_not_open() -> None:
    ring = KeyRing.generate()
    sealed = ring.encrypt(SECRET, AAD)
    other_record = b"connector:0b9c6f1e-0000-4000-8000-000000000002:kubeconfig"
    with pytest.raises(CryptoError, match="belongs to another record or purpose"):
        ring.decrypt(sealed, other_record)


def test_a_value_moved_to_another_purpose_does_not_open() -> None:
    ring = KeyRing.generate()
    sealed = ring.encrypt(SECRET, AAD)
    with pytest.raises(CryptoError):
        ring.decrypt(sealed, AAD.replace(b"kubeconfig", b"snapshot"))


def test_a_different_key_with_the_same_id_does_not_open_it() -> None:
    sealed = KeyRing.generate("k1").encrypt(SECRET, AAD)
    with pytest.raises(CryptoError, match="sealed with key 'k1' does not open"):
        KeyRing.generate("k1").decrypt(sealed, AAD)


def test_a_key_id_missing_from_the_ring_is_named() -> None:
    sealed = KeyRing.generate("old").encrypt(SECRET, AAD)
    with pytest.raises(CryptoError) as caught:
        KeyRing.generate("new").decrypt(sealed, AAD)
    assert str(caught.value) == (
        "the value was sealed with key 'old', which is not in the key ring (keys: new)"
    )


def test_a_tampered_ciphertext_does_not_open() -> None:
    ring = KeyRing.generate()
    sealed = ring.encrypt(SECRET, AAD)
    body = bytearray(_body(sealed))
    body[20] ^= 0x01
    with pytest.raises(CryptoError, match="altered"):
        ring.decrypt(_with_body(sealed, bytes(body)), AAD)


def test_a_tampered_tag_does_not_open() -> None:
    ring = KeyRing.generate()
    sealed = ring.encrypt(SECRET, AAD)
    body = bytearray(_body(sealed))
    body[-1] ^= 0x80
    with pytest.raises(CryptoError):
        ring.decrypt(_with_body(sealed, bytes(body)), AAD)


def test_relabelling_a_value_with_another_key_id_of_the_ring_does_not_open_it() -> None:
    ring = KeyRing.generate("a").with_new_active_key("b")
    sealed = ring.encrypt(SECRET, AAD)
    with pytest.raises(CryptoError):
        ring.decrypt(sealed.replace("kc1:b:", "kc1:a:"), AAD)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("plain text", "not a sealed value (expected 'kc1:<kid>:<data>')"),
        ("kc2:k1:AAAA", "not a sealed value (expected 'kc1:<kid>:<data>')"),
        ("kc1:bad kid:AAAA", "sealed value has an invalid key id"),
        ("kc1:k1:AA!A", "sealed value is not valid base64url"),
        ("kc1:k1:AAAA", "sealed value with key 'k1' is truncated"),
    ],
)
def test_malformed_sealed_text_is_refused_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(CryptoError) as caught:
        KeyRing.generate("k1").decrypt(text, AAD)
    assert str(caught.value) == message


def test_a_new_active_key_seals_while_old_keys_still_open() -> None:
    old = KeyRing.generate("old")
    sealed_before = old.encrypt(SECRET, AAD)
    rotated = old.with_new_active_key("new")
    assert rotated.kids == ("new", "old")
    assert key_id_of(rotated.encrypt(SECRET, AAD)) == "new"
    assert rotated.decrypt(sealed_before, AAD) == SECRET


def test_retaining_drops_every_other_old_key() -> None:
    ring = KeyRing.generate("a").with_new_active_key("b").with_new_active_key("c")
    assert ring.retaining({"a"}).kids == ("c", "a")
    assert ring.retaining(()).kids == ("c",)


def test_the_repr_shows_key_ids_but_never_key_bytes() -> None:
    ring = KeyRing.generate("k1")
    ((_, key),) = ring.key_material()
    text = repr(ring)
    assert text == "KeyRing(active_kid='k1', kids=['k1'])"
    assert base64.b64encode(key).decode() not in text


def test_a_ring_refuses_short_keys_without_showing_them() -> None:
    with pytest.raises(CryptoError) as caught:
        KeyRing("k1", {"k1": b"short-key-bytes"})
    assert str(caught.value) == "key 'k1' is 15 bytes; AES-256 needs 32"


def test_a_ring_refuses_an_active_key_it_does_not_hold() -> None:
    with pytest.raises(CryptoError, match="the active key 'k2' is not in the key ring"):
        KeyRing("k2", {"k1": bytes(32)})


def test_new_key_ids_carry_their_creation_time() -> None:
    assert re.fullmatch(r"k\d{8}T\d{6}-[0-9a-f]{6}", new_kid())
