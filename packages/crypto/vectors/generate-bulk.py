#!/usr/bin/env python3
"""Writes bulk-body.json: the [Enkrypted] bulk body of docs/protocol.md section 4.2.6 for fixed inputs.

An independent implementation (Python `cryptography` AESGCM, not WebCrypto or @noble) of the bulk
body: AES-256-GCM under the content key K with a zero 96-bit nonce and the associated data
    sessionId || 0x00 || messageId || 0x00 || algorithms || 0x00 || "EnkryptedChat-Profile-v0 bulk body AES-256-GCM"
The TypeScript test rebuilds the associated data and the body from the same inputs and compares.
Re-run only when the profile changes:
    python3 packages/crypto/vectors/generate-bulk.py
"""
import hashlib
import json
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

HERE = os.path.dirname(os.path.abspath(__file__))
SPEC = "EnkryptedChat-Profile-v0"
BODY_LABEL = f"{SPEC} bulk body AES-256-GCM"
KEY_LABEL = f"{SPEC} bulk key AES-256-GCM"
ALGORITHMS = "MLS,X3DH-DoubleRatchet,ML-KEM-768,AES-GCM-256"


def pattern(n, start):
    return bytes((start + i) & 0xFF for i in range(n))


def case(name, session_id, message_id, key, size):
    layer_ad = session_id.encode() + b"\0" + message_id.encode() + b"\0" + ALGORITHMS.encode()
    body_ad = layer_ad + b"\0" + BODY_LABEL.encode()
    key_ad = layer_ad + b"\0" + KEY_LABEL.encode()
    plaintext = bytes((i * 31 + 7) & 0xFF for i in range(size))
    body = AESGCM(key).encrypt(b"\0" * 12, plaintext, body_ad)
    return {
        "name": name, "sessionId": session_id, "messageId": message_id, "algorithms": ALGORITHMS,
        "keyHex": key.hex(), "plaintext": "byte i = (31 i + 7) mod 256", "plaintextBytes": size,
        "keyAdHex": key_ad.hex(), "bodyAdHex": body_ad.hex(), "bodyBytes": len(body),
        "bodySha256Hex": hashlib.sha256(body).hexdigest(), "bodyHeadHex": body[:32].hex(),
        "tagHex": body[-16:].hex(),
    }


doc = {
    "vector": "bulk-body", "title": "Bulk form: body AES-256-GCM under the content key, and both associated data",
    "profile": "EnkryptedChat-Profile-v0", "source": "[Enkrypted] docs/protocol.md 4.2.6; Python cryptography AESGCM",
    "cases": [
        case("64 KiB (the bulk minimum)", "AAECAwQFBgcICQoLDA0ODw", "EBESExQVFhcYGRobHB0eHw", pattern(32, 0x40), 65536),
        case("1 MiB", "ICEiIyQlJicoKSorLC0uLw", "MDEyMzQ1Njc4OTo7PD0-Pw", pattern(32, 0x80), 1 << 20),
    ],
}
with open(os.path.join(HERE, "bulk-body.json"), "w") as f:
    json.dump(doc, f, indent=2)
    f.write("\n")
