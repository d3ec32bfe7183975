#!/usr/bin/env python3
"""Writes the golden wire vectors of packages/protocol (V1-V7, V9, V10).

Deliberately a second, independent implementation of the canonical encoding of docs/protocol.md
section 2.2 (Python json + base64, not the TypeScript encoder): the TypeScript tests check that
their encoder reproduces these bytes exactly. Re-run only when the profile changes:
    python3 packages/protocol/vectors/generate.py
"""
import base64
import json
import math
import os

HERE = os.path.dirname(os.path.abspath(__file__))
SPEC = "EnkryptedChat-Profile-v0"
GOLDEN_TS = 1717000000000
CHUNK = 8192


def b64(b: bytes) -> str:
    return base64.b64encode(b).decode("ascii")


def b64url(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).decode("ascii").rstrip("=")


def pattern(n: int, start: int) -> bytes:
    return bytes((start + i) & 0xFF for i in range(n))


def canon(obj) -> str:
    # Dict insertion order is the canonical key order; no whitespace; ASCII content only.
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def case(name: str, obj, **extra):
    text = canon(obj)
    return {"name": name, **extra, "json": text, "hex": text.encode("utf-8").hex()}


def write(name: str, doc):
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")


def mock_cascade(plaintext: bytes, names):
    data, layers, params = plaintext, [], []
    for i, n in enumerate(names):
        out = data + bytes([i + 1])
        layers.append({"algorithm": n, "version": "1.0.0-golden", "timestamp": GOLDEN_TS,
                       "inputSize": len(data), "outputSize": len(out), "processingTime": 0})
        params.append({"goldenTag": i + 1})
        data = out
    em = {"encrypted": True, "cascaded": True, "cascadedPayload": {
        "finalCiphertext": b64(data), "layers": layers, "layerParameters": params,
        "totalProcessingTime": 0, "originalSize": len(plaintext), "finalSize": len(data),
        "timestamp": GOLDEN_TS}}
    return data, em


def mock_vector(vid, title, plaintext_hex, names, expected_hex):
    ct, em = mock_cascade(bytes.fromhex(plaintext_hex), names)
    assert ct.hex() == expected_hex, (vid, ct.hex())
    return {
        "vector": vid, "title": title, "profile": "EnkryptedChat-Profile-v0-golden-mock",
        "source": "spec Appendix A; mock layer i appends byte i+1",
        "cases": [case(f"{vid} {'/'.join(names)}", em, layers=names, plaintextHex=plaintext_hex,
                       finalCiphertextHex=expected_hex)],
    }


SESSION = pattern(16, 0x00)
MESSAGE_ID = pattern(16, 0x10)

write("v1-mock-cascade-three-layers.json",
      mock_vector("V1", 'Mock cascade "Hi" (3 layers)', "4869", ["MockCipher1", "MockCipher2", "MockCipher3"],
                  "4869010203"))
write("v2-mock-cascade-profile-order.json",
      mock_vector("V2", "Profile-order mock cascade (4 layers)", "0a141e28", ["MLS", "Signal", "ML-KEM", "AES"],
                  "0a141e2801020304"))

v3_spec = {"encrypted": True, "cascaded": True, "cascadedPayload": {
    "finalCiphertext": [72, 105, 1, 2, 3], "layerParameters": [{}],
    "layers": [{"algorithm": "MLS", "version": "1.0.0-golden"}],
    "originalSize": 2, "finalSize": 5, "timestamp": 1717000000000}}
v3_canon = {"encrypted": True, "cascaded": True, "cascadedPayload": {
    "finalCiphertext": b64(bytes([72, 105, 1, 2, 3])), "layers": [{"algorithm": "MLS", "version": "1.0.0-golden"}],
    "layerParameters": [{}], "originalSize": 2, "finalSize": 5, "timestamp": 1717000000000}}
write("v3-cascaded-payload-shape.json", {
    "vector": "V3", "title": "cascadedPayload JSON shape (spec A.5, number-array form)",
    "profile": "EnkryptedChat-Profile-v0-golden-mock", "source": "spec Appendix A.5, copied exactly",
    "cases": [{"name": "V3 spec shape", "encryptedMessage": v3_spec, "finalCiphertextHex": "4869010203",
               "canonicalJson": canon(v3_canon)}],
})

req = {"type": "signal-key-exchange-request", "specVersion": SPEC, "sessionId": b64url(SESSION),
       "identitySigningKey": b64(pattern(32, 0x20)), "identityDhKey": b64(pattern(32, 0x40)),
       "identityBinding": b64(pattern(64, 0x50))}
res = {"type": "signal-key-exchange-response", "specVersion": SPEC, "sessionId": b64url(SESSION),
       "identitySigningKey": b64(pattern(32, 0x60)), "identityDhKey": b64(pattern(32, 0x80)),
       "identityBinding": b64(pattern(64, 0x90)),
       "signedPreKey": b64(pattern(32, 0xA0)), "signedPreKeySignature": b64(pattern(64, 0xC0))}
write("v4-handshake-pair.json", {
    "vector": "V4", "title": "Handshake PDU pair, canonical UTF-8",
    "profile": "EnkryptedChat-Profile-v0-golden-wire",
    "source": "[Enkrypted]; byte patterns, not valid keys: tests the wire encoding only",
    "cases": [
        case("signal-key-exchange-request", req, fieldsHex={
            "sessionId": SESSION.hex(), "identitySigningKey": pattern(32, 0x20).hex(),
            "identityDhKey": pattern(32, 0x40).hex(), "identityBinding": pattern(64, 0x50).hex()}),
        case("signal-key-exchange-response", res, fieldsHex={
            "sessionId": SESSION.hex(), "identitySigningKey": pattern(32, 0x60).hex(),
            "identityDhKey": pattern(32, 0x80).hex(), "identityBinding": pattern(64, 0x90).hex(),
            "signedPreKey": pattern(32, 0xA0).hex(),
            "signedPreKeySignature": pattern(64, 0xC0).hex()}),
    ],
})

env_group, env_ct = pattern(8, 0x01), pattern(48, 0x30)
mls_only = {"type": "message", "specVersion": SPEC, "messageId": b64url(MESSAGE_ID), "encryptedMessage": {
    "encrypted": True, "cascaded": False,
    "envelope": {"groupId": b64(env_group), "ciphertext": b64(env_ct), "timestamp": GOLDEN_TS}}}
write("v5-mls-only-envelope.json", {
    "vector": "V5", "title": "MLS-only fallback envelope in a message PDU",
    "profile": "EnkryptedChat-Profile-v0-golden-wire", "source": "[Enkrypted]; byte patterns",
    "cases": [case("message with MLS-only envelope", mls_only,
                   fieldsHex={"messageId": MESSAGE_ID.hex(), "groupId": env_group.hex(), "ciphertext": env_ct.hex()})],
})

payload = bytes(i % 251 for i in range(9000))
header = {"type": "message", "specVersion": SPEC, "messageId": b64url(MESSAGE_ID), "encryptedMessage": {
    "encrypted": True, "cascaded": True, "cascadedPayload": {
        "layers": [{"algorithm": "AES-GCM-256", "version": "1.0.0"}], "layerParameters": [{"counter": 0, "rotation": 0}],
        "originalSize": 8972, "finalSize": 9000}, "chunked": True}}
last = {"type": "__mls_chunk__", "specVersion": SPEC, "messageId": b64url(MESSAGE_ID), "chunkIndex": 1,
        "totalChunks": 2, "data": b64(payload[CHUNK:])}
write("v6-chunk-pdu.json", {
    "vector": "V6", "title": "__mls_chunk__ PDU (last chunk of the V7 payload) and its chunked header",
    "profile": "EnkryptedChat-Profile-v0-golden-wire",
    "source": "[Enkrypted]; payload byte i = i mod 251, 9000 bytes",
    "cases": [
        case("__mls_chunk__ 1 of 2 (808 bytes)", last, dataHex=payload[CHUNK:].hex()),
        case("chunked message header", header),
    ],
})

def count(n):
    return 0 if n <= CHUNK else math.ceil(n / CHUNK)

def sizes(n):
    c = count(n)
    return [min(CHUNK, n - i * CHUNK) for i in range(c)]

write("v7-chunk-count.json", {
    "vector": "V7", "title": "Chunk count for a payload size (8192-byte chunks, chunked when > 8192)",
    "profile": "EnkryptedChat-Profile-v0-golden-wire", "source": "spec A.2 V7; 9000 -> 2 (8192 + 808)",
    "cases": [{"payloadBytes": n, "chunkCount": count(n), "chunkSizes": sizes(n)}
              for n in [9000, 1, 8192, 8193, 16384, 16385, 10 * 1024 * 1024]],
})

e1 = {"type": "protocol-error", "specVersion": SPEC, "code": "CHUNK_REASSEMBLY_TIMEOUT", "fatal": False,
      "inReplyTo": b64url(MESSAGE_ID), "message": "reassembly timed out"}
e2 = {"type": "protocol-error", "specVersion": SPEC, "code": "CHANNEL_BINDING_FAILED", "fatal": True}
write("v9-protocol-error.json", {
    "vector": "V9", "title": "protocol-error PDUs", "profile": "EnkryptedChat-Profile-v0-golden-wire",
    "source": "[Enkrypted] error catalogue",
    "cases": [case("non-fatal, about a message", e1), case("fatal, minimal", e2)],
})

# V10 [Enkrypted]: the bulk form of a cascade message (docs/protocol.md section 2.6.4). The header of a
# chunked bulk message, then headers a receiver must refuse, each with the code it is refused with.
BULK_MIN = 64 * 1024
BULK_TAG = 16
BULK_KEY_CT_MAX = CHUNK


def bulk_header(original, key_ct, body=None, algorithm="AES-256-GCM", extra=None):
    body = original + BULK_TAG if body is None else body
    bulk = {"algorithm": algorithm, "bodySize": body}
    if extra:
        bulk.update(extra)
    return {"type": "message", "specVersion": SPEC, "messageId": b64url(MESSAGE_ID), "encryptedMessage": {
        "encrypted": True, "cascaded": True, "cascadedPayload": {
            "layers": [{"algorithm": n, "version": "1.0.0"} for n in
                       ["MLS", "X3DH-DoubleRatchet", "ML-KEM-768", "AES-GCM-256"]],
            "layerParameters": [{}, {}, {}, {}],
            "originalSize": original, "finalSize": key_ct + body, "bulk": bulk}, "chunked": True}}


def refused(name, obj, code):
    return {"name": name, "code": code, "json": canon(obj)}


write("v10-bulk-envelope.json", {
    "vector": "V10", "title": "Bulk form of a cascade message (chunked header) and the headers refused",
    "profile": "EnkryptedChat-Profile-v0-golden-wire",
    "source": "[Enkrypted] docs/protocol.md 2.6.4; sizes only, no real ciphertext",
    "limits": {"bulkMinPlaintextBytes": BULK_MIN, "bulkTagBytes": BULK_TAG, "maxBulkKeyCiphertextBytes": BULK_KEY_CT_MAX},
    "cases": [
        case("1 MiB bulk message, 320-byte key ciphertext", bulk_header(1 << 20, 320),
             keyCiphertextBytes=320, bodyBytes=(1 << 20) + BULK_TAG),
        case("smallest bulk message, 1-byte key ciphertext", bulk_header(BULK_MIN, 1),
             keyCiphertextBytes=1, bodyBytes=BULK_MIN + BULK_TAG),
    ],
    "refused": [
        refused("below the bulk minimum", bulk_header(BULK_MIN - 1, 320), "PDU_INCONSISTENT"),
        refused("body is not plaintext + tag", bulk_header(BULK_MIN, 320, body=BULK_MIN + 15), "PDU_INCONSISTENT"),
        refused("no key ciphertext", bulk_header(BULK_MIN, 0), "PDU_INCONSISTENT"),
        refused("key ciphertext over one chunk", bulk_header(BULK_MIN, BULK_KEY_CT_MAX + 1), "PDU_INCONSISTENT"),
        refused("another bulk algorithm", bulk_header(BULK_MIN, 320, algorithm="AES-128-GCM"), "PDU_BAD_FIELD"),
        refused("unknown field in bulk", bulk_header(BULK_MIN, 320, extra={"nonce": "AAAAAAAAAAAAAAAA"}),
                "PDU_UNKNOWN_FIELD"),
    ],
})
