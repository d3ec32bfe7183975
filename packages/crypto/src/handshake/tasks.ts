/**
 * The cryptography behind each transition of the handshake table (state-table.ts): one method per
 * task, each consuming the PDU that triggered it and returning the PDUs to send. It holds the
 * secrets of one handshake and, at the end, the four initialised layers. The order in which tasks
 * run is decided by the state machine alone; a task that finds anything wrong throws, which the
 * driver turns into a fatal `error` event.
 */
import {
  encodeBase64url,
  type HandshakeFinished,
  type HandshakePdu,
  type HandshakePduType,
  type MlkemKeyExchange,
  type MlkemKeyExchangeResponse,
  type MlsCommit,
  type MlsEpochConfirmation,
  type MlsKeyPackage,
  type MlsKeyPackageRequest,
  type MlsWelcome,
  PDU_TYPE,
  SESSION_ERROR,
  type SignalKeyExchangeRequest,
  type SignalKeyExchangeResponse,
  type SignalSessionComplete,
} from '@enkrypted/protocol';
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { CiphersuiteImpl, ClientState } from 'ts-mls';
import { AesGcmLayer } from '../aes/aes-layer.js';
import { deriveAesBaseSecret } from '../aes/keys.js';
import { u64be } from '../cascade/bytes.js';
import { concatBytes, constantTimeEqual, u32be, utf8, wipe } from '../encoding.js';
import { CRYPTO_ERROR, CryptoError, isCryptoError } from '../errors.js';
import { signTranscript, transcriptHash, verifyTranscript } from '../identity/channel-binding.js';
import type { ContactPins, PinCheck } from '../identity/contact-pins.js';
import {
  type IdentityKeyPair,
  type PublicIdentity,
  verifyPublicIdentity,
} from '../identity/identity-keys.js';
import { generateSignedPrekey, type SignedPrekey } from '../identity/signed-prekey.js';
import {
  decapsulate,
  deriveMlKemRootSecret,
  encapsulateTo,
  generateMlKemKeyPair,
  type MlKemKeyPair,
} from '../mlkem/handshake.js';
import { MlKemLayer } from '../mlkem/mlkem-layer.js';
import {
  createMlsMember,
  createTwoMemberGroup,
  decodeKeyPackage,
  exportMlsSecret,
  joinTwoMemberGroup,
  type MlsMember,
} from '../mls/handshake.js';
import { MlsLayer } from '../mls/mls-layer.js';
import type { RandomBytes } from '../random.js';
import { AD_PURPOSE_SESSION_CONFIRMATION, SESSION_CONFIRMATION_PLAINTEXT } from '../signal/constants.js';
import {
  ratchetDecrypt,
  ratchetEncrypt,
  ratchetInitInitiator,
  ratchetInitResponder,
} from '../signal/double-ratchet.js';
import { messageAssociatedData, SignalLayer } from '../signal/signal-layer.js';
import { x3dhInitiate } from '../signal/x3dh-initiator.js';
import { x3dhRespond } from '../signal/x3dh-responder.js';
import {
  HANDSHAKE_EXPORT_SALT,
  HANDSHAKE_SIGNED_PREKEY_ID,
  INITIAL_AES_ROTATION,
  MLKEM_AES_INFO,
  MLS_AES_EXPORTER_LABEL,
  MLS_CONFIRMATION_EXPORTER_LABEL,
  X3DH_AES_INFO,
} from './constants.js';
import { HandshakeError } from './errors.js';
import { identityCredential, identityFromCredential } from './identity-credential.js';
import type { HandshakeRole, HandshakeTask } from './state-table.js';
import { HANDSHAKE_PDU_ORDER } from './transcript.js';

/** RFC 9420 §17.1: MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519, the suite of the MLS layer. */
export const MLS_CIPHER_SUITE_ID = 1;
const SESSION_ID_BYTES = 16;
const MLS_GROUP_ID_BYTES = 16;
const EXPORT_BYTES = 32;

export interface HandshakeCryptoOptions {
  readonly role: HandshakeRole;
  readonly identity: IdentityKeyPair;
  readonly pins: ContactPins;
  /** The app's stable handle of the contact, under which its identity key is pinned. */
  readonly contactId: string;
  /** DTLS fingerprints ("sha-256 AB:CD:…") as this side read them from the SDP. */
  readonly localFingerprint: string;
  readonly remoteFingerprint: string;
  readonly random: RandomBytes;
  readonly now: () => number;
  readonly mlsSuite: CiphersuiteImpl;
}

/** What a successful handshake leaves: the four layers, in profile order, and who the peer is. */
export interface HandshakeOutcome {
  readonly sessionId: string;
  readonly role: HandshakeRole;
  readonly mls: MlsLayer;
  readonly signal: SignalLayer;
  readonly mlkem: MlKemLayer;
  readonly aes: AesGcmLayer;
  readonly remoteIdentity: PublicIdentity;
  /** TOFU result: first contact (now pinned) or a match with the pinned key. */
  readonly pin: PinCheck;
  readonly transcriptHash: Uint8Array;
}

function malformed(detail: string): CryptoError {
  return new CryptoError(CRYPTO_ERROR.malformed, detail);
}

function exportSecret(ikm: Uint8Array, info: string): Uint8Array {
  return hkdf(sha256, ikm, utf8(HANDSHAKE_EXPORT_SALT), utf8(info), EXPORT_BYTES);
}

function sameKeys(a: PublicIdentity, b: PublicIdentity): boolean {
  return constantTimeEqual(a.signingKey, b.signingKey) && constantTimeEqual(a.dhKey, b.dhKey);
}

export class HandshakeCrypto {
  readonly #o: HandshakeCryptoOptions;
  #sessionId: string | undefined;
  readonly #transcript = new Map<string, Uint8Array>();
  #peerIdentity: PublicIdentity | undefined;
  #pin: PinCheck | undefined;
  // MLS
  #mlsMember: MlsMember | undefined;
  #ownKeyPackage: Uint8Array | undefined;
  #mlsState: ClientState | undefined;
  #commit: MlsCommit | undefined;
  // Signal
  #signedPrekey: SignedPrekey | undefined;
  #signal: SignalLayer | undefined;
  #x3dhExport: Uint8Array | undefined;
  // ML-KEM
  #mlkemKeys: MlKemKeyPair | undefined;
  #peerMlkemKey: Uint8Array | undefined;
  #toPeer: { ciphertext: Uint8Array; sharedSecret: Uint8Array } | undefined;
  #fromPeer: { ciphertext: Uint8Array; sharedSecret: Uint8Array } | undefined;
  // Binding
  #outcome: Omit<HandshakeOutcome, 'pin' | 'remoteIdentity'> | undefined;

  constructor(options: HandshakeCryptoOptions) {
    this.#o = options;
    if (options.role === 'initiator') this.#sessionId = encodeBase64url(options.random(SESSION_ID_BYTES));
  }

  get sessionId(): string | undefined {
    return this.#sessionId;
  }

  get peerRole(): HandshakeRole {
    return this.#o.role === 'initiator' ? 'responder' : 'initiator';
  }

  /**
   * Checks a received PDU's sessionId: the initiator chose it; the responder adopts it from the first
   * handshake PDU it receives. A mismatch is a PDU of another (or a forged) handshake.
   */
  checkSession(sessionId: string): void {
    if (this.#sessionId === undefined) this.#sessionId = sessionId;
    else if (sessionId !== this.#sessionId) {
      throw new HandshakeError(SESSION_ERROR.handshakeUnexpected, 'handshake PDU of another session');
    }
  }

  /** Records a handshake PDU (canonical bytes) for the channel-binding transcript. */
  record(sender: HandshakeRole, type: HandshakePduType, canonical: Uint8Array): void {
    if (type === PDU_TYPE.handshakeFinished) return;
    this.#transcript.set(`${sender}:${type}`, canonical);
  }

  /** The outcome, once the peer's `handshake-finished` verified. */
  outcome(): HandshakeOutcome {
    if (this.#outcome === undefined || this.#peerIdentity === undefined || this.#pin === undefined) {
      throw new CryptoError(CRYPTO_ERROR.notReady, 'handshake not complete');
    }
    return { ...this.#outcome, remoteIdentity: this.#peerIdentity, pin: this.#pin };
  }

  async run(task: HandshakeTask, pdu: HandshakePdu | undefined): Promise<HandshakePdu[]> {
    switch (task) {
      case 'mls-request-key-package':
        return [
          { type: PDU_TYPE.mlsKeyPackageRequest, sessionId: this.#sid(), cipherSuite: MLS_CIPHER_SUITE_ID },
        ];
      case 'mls-send-key-package':
        return this.#sendKeyPackage(pdu as MlsKeyPackageRequest);
      case 'mls-create-group':
        return this.#createGroup(pdu as MlsKeyPackage);
      case 'mls-store-commit':
        this.#commit = pdu as MlsCommit;
        return [];
      case 'mls-join':
        return this.#join(pdu as MlsWelcome);
      case 'mls-verify-welcome-ack':
        await this.#verifyConfirmation(pdu as MlsEpochConfirmation & { type: HandshakePduType });
        return [await this.#confirmation(PDU_TYPE.mlsEncryptionSyncRequest)];
      case 'mls-answer-sync':
        await this.#verifyConfirmation(pdu as MlsEpochConfirmation & { type: HandshakePduType });
        return [await this.#confirmation(PDU_TYPE.mlsEncryptionSyncResponse)];
      case 'mls-verify-sync':
        await this.#verifyConfirmation(pdu as MlsEpochConfirmation & { type: HandshakePduType });
        return [];
      case 'signal-request':
        return [
          {
            type: PDU_TYPE.signalKeyExchangeRequest,
            sessionId: this.#sid(),
            identitySigningKey: this.#o.identity.publicIdentity.signingKey,
            identityDhKey: this.#o.identity.publicIdentity.dhKey,
            identityBinding: this.#o.identity.publicIdentity.binding,
          },
        ];
      case 'signal-respond':
        return this.#signalRespond(pdu as SignalKeyExchangeRequest);
      case 'signal-initiate':
        return this.#signalInitiate(pdu as SignalKeyExchangeResponse);
      case 'signal-accept':
        await this.#signalAccept(pdu as SignalSessionComplete);
        return [];
      case 'mlkem-offer':
        return [this.#mlkemOffer()];
      case 'mlkem-answer':
        return [this.#mlkemAnswer(pdu as MlkemKeyExchange)];
      case 'mlkem-offer-and-answer': {
        const offer = this.#mlkemOffer();
        return [offer, this.#mlkemAnswer(pdu as MlkemKeyExchange)];
      }
      case 'mlkem-finish':
        this.#mlkemFinish(pdu as MlkemKeyExchangeResponse);
        return [];
      case 'binding-send':
        return [await this.#bindingSend()];
      case 'binding-verify':
        this.#bindingVerify(pdu as HandshakeFinished);
        await this.#pinFirstUse();
        return [];
    }
  }

  #sid(): string {
    if (this.#sessionId === undefined) throw new CryptoError(CRYPTO_ERROR.notReady, 'no session id yet');
    return this.#sessionId;
  }

  /**
   * Adopts the peer's binding-verified identity, from whichever of its Signal PDU and its MLS
   * credential arrives first; the second must present the same keys (CRYPTO_MALFORMED otherwise).
   * A contact pinned with another key is refused at once (CRYPTO_IDENTITY_KEY_CHANGED, blocking). A
   * first contact is pinned only once the handshake verified (#pinFirstUse), so a failed attempt by
   * an impostor never plants its key.
   */
  async #adoptPeerIdentity(identity: PublicIdentity): Promise<void> {
    if (this.#peerIdentity !== undefined) {
      if (!sameKeys(identity, this.#peerIdentity)) {
        throw malformed('Signal and MLS present different identities');
      }
      return;
    }
    if ((await this.#o.pins.get(this.#o.contactId)) !== undefined) {
      this.#pin = await this.#o.pins.check(this.#o.contactId, identity);
    }
    this.#peerIdentity = identity;
  }

  async #pinFirstUse(): Promise<void> {
    if (this.#pin === undefined) this.#pin = await this.#o.pins.check(this.#o.contactId, this.#requirePeer());
  }

  /**
   * The identity of a Signal PDU: its binding is verified before anything uses the keys
   * (CRYPTO_BAD_SIGNATURE when it does not verify), then it is adopted as above.
   */
  async #adoptSignalIdentity(pdu: SignalKeyExchangeRequest | SignalKeyExchangeResponse): Promise<void> {
    const identity: PublicIdentity = {
      signingKey: pdu.identitySigningKey,
      dhKey: pdu.identityDhKey,
      binding: pdu.identityBinding,
    };
    verifyPublicIdentity(identity);
    await this.#adoptPeerIdentity(identity);
  }

  #requirePeer(): PublicIdentity {
    if (this.#peerIdentity === undefined)
      throw new CryptoError(CRYPTO_ERROR.notReady, 'peer identity unknown');
    return this.#peerIdentity;
  }

  // ---- MLS --------------------------------------------------------------------------------

  async #newMember(): Promise<MlsMember> {
    const { member, keyPackageBytes } = await createMlsMember(
      identityCredential(this.#o.identity.publicIdentity),
      this.#o.mlsSuite,
    );
    this.#mlsMember = member;
    this.#ownKeyPackage = keyPackageBytes;
    return member;
  }

  async #sendKeyPackage(req: MlsKeyPackageRequest): Promise<HandshakePdu[]> {
    if (req.cipherSuite !== MLS_CIPHER_SUITE_ID) throw malformed('unsupported MLS cipher suite');
    await this.#newMember();
    return [
      {
        type: PDU_TYPE.mlsKeyPackage,
        sessionId: this.#sid(),
        cipherSuite: MLS_CIPHER_SUITE_ID,
        keyPackage: this.#ownKeyPackage as Uint8Array,
      },
    ];
  }

  async #createGroup(kp: MlsKeyPackage): Promise<HandshakePdu[]> {
    if (kp.cipherSuite !== MLS_CIPHER_SUITE_ID) throw malformed('unsupported MLS cipher suite');
    const credential = decodeKeyPackage(kp.keyPackage).leafNode.credential;
    if (credential.credentialType !== 'basic') throw malformed('MLS credential is not basic');
    await this.#adoptPeerIdentity(identityFromCredential(credential.identity));
    const member = await this.#newMember();
    const groupId = this.#o.random(MLS_GROUP_ID_BYTES);
    const group = await createTwoMemberGroup(this.#o.mlsSuite, member, kp.keyPackage, groupId);
    this.#mlsState = group.state;
    return [
      { type: PDU_TYPE.mlsCommit, sessionId: this.#sid(), groupId, epoch: 0, commit: group.commitBytes },
      { type: PDU_TYPE.mlsWelcome, sessionId: this.#sid(), welcome: group.welcomeBytes },
    ];
  }

  async #join(welcome: MlsWelcome): Promise<HandshakePdu[]> {
    const member = this.#mlsMember;
    const commit = this.#commit;
    if (member === undefined || commit === undefined)
      throw new CryptoError(CRYPTO_ERROR.notReady, 'no MLS member');
    if (welcome.ratchetTree !== undefined) throw malformed('the ratchet tree travels inside the Welcome');
    const state = await joinTwoMemberGroup(this.#o.mlsSuite, member, welcome.welcome);
    if (
      !constantTimeEqual(state.groupContext.groupId, commit.groupId) ||
      Number(state.groupContext.epoch) !== commit.epoch + 1
    ) {
      throw malformed('the Welcome does not follow the announced commit');
    }
    const own = identityCredential(this.#o.identity.publicIdentity);
    let peer: Uint8Array | undefined;
    for (const node of state.ratchetTree) {
      if (node?.nodeType !== 'leaf' || node.leaf.credential.credentialType !== 'basic') continue;
      const id = node.leaf.credential.identity;
      if (!constantTimeEqual(id, own)) peer = id;
    }
    if (peer === undefined) throw malformed('no peer in the MLS group');
    await this.#adoptPeerIdentity(identityFromCredential(peer));
    this.#mlsState = state;
    return [await this.#confirmation(PDU_TYPE.mlsWelcomeAck)];
  }

  async #confirmationMac(type: HandshakePduType, groupId: Uint8Array, epoch: number): Promise<Uint8Array> {
    const state = this.#mlsState as ClientState;
    const key = await exportMlsSecret(
      state,
      this.#o.mlsSuite,
      MLS_CONFIRMATION_EXPORTER_LABEL,
      utf8(this.#sid()),
    );
    const mac = hmac(
      sha256,
      key,
      concatBytes(utf8(type), Uint8Array.of(0), u32be(groupId.length), groupId, u64be(epoch)),
    );
    wipe(key);
    return mac;
  }

  async #confirmation(
    type:
      | typeof PDU_TYPE.mlsWelcomeAck
      | typeof PDU_TYPE.mlsEncryptionSyncRequest
      | typeof PDU_TYPE.mlsEncryptionSyncResponse,
  ): Promise<HandshakePdu> {
    const state = this.#mlsState;
    if (state === undefined) throw new CryptoError(CRYPTO_ERROR.notReady, 'no MLS group');
    const groupId = state.groupContext.groupId;
    const epoch = Number(state.groupContext.epoch);
    return {
      type,
      sessionId: this.#sid(),
      groupId,
      epoch,
      confirmationMac: await this.#confirmationMac(type, groupId, epoch),
    } as HandshakePdu;
  }

  async #verifyConfirmation(pdu: MlsEpochConfirmation & { type: HandshakePduType }): Promise<void> {
    const state = this.#mlsState;
    if (state === undefined) throw new CryptoError(CRYPTO_ERROR.notReady, 'no MLS group');
    const expected = await this.#confirmationMac(
      pdu.type,
      state.groupContext.groupId,
      Number(state.groupContext.epoch),
    );
    if (
      !constantTimeEqual(pdu.groupId, state.groupContext.groupId) ||
      pdu.epoch !== Number(state.groupContext.epoch) ||
      !constantTimeEqual(pdu.confirmationMac, expected)
    ) {
      throw new CryptoError(CRYPTO_ERROR.decryptFailed, 'MLS confirmation does not verify');
    }
  }

  // ---- Signal (X3DH 3-DH + first ratchet message) -------------------------------------------

  async #signalRespond(req: SignalKeyExchangeRequest): Promise<HandshakePdu[]> {
    await this.#adoptSignalIdentity(req);
    const spk = generateSignedPrekey(this.#o.identity, HANDSHAKE_SIGNED_PREKEY_ID, this.#o.random);
    this.#signedPrekey = spk;
    return [
      {
        type: PDU_TYPE.signalKeyExchangeResponse,
        sessionId: this.#sid(),
        identitySigningKey: this.#o.identity.publicIdentity.signingKey,
        identityDhKey: this.#o.identity.publicIdentity.dhKey,
        identityBinding: this.#o.identity.publicIdentity.binding,
        signedPreKey: spk.publicKey,
        signedPreKeySignature: spk.signature,
      },
    ];
  }

  async #signalInitiate(res: SignalKeyExchangeResponse): Promise<HandshakePdu[]> {
    await this.#adoptSignalIdentity(res);
    const peer = this.#requirePeer();
    const x3dh = x3dhInitiate(
      this.#o.identity,
      {
        identity: peer,
        signedPrekey: {
          id: HANDSHAKE_SIGNED_PREKEY_ID,
          publicKey: res.signedPreKey,
          signature: res.signedPreKeySignature,
        },
      },
      this.#o.random,
    );
    const state = await ratchetInitInitiator(x3dh.sharedSecret, x3dh.remoteRatchetKey, this.#o.random);
    const confirmation = await ratchetEncrypt(
      state,
      SESSION_CONFIRMATION_PLAINTEXT,
      messageAssociatedData(x3dh.associatedData, AD_PURPOSE_SESSION_CONFIRMATION, new Uint8Array(0)),
    );
    this.#signal = new SignalLayer(
      { state: confirmation.state, associatedData: x3dh.associatedData },
      this.#o.random,
    );
    this.#x3dhExport = exportSecret(x3dh.sharedSecret, X3DH_AES_INFO);
    wipe(x3dh.sharedSecret);
    return [
      {
        type: PDU_TYPE.signalSessionComplete,
        sessionId: this.#sid(),
        ephemeralKey: x3dh.initialMessage.ephemeralKey,
        ratchetHeader: { ...confirmation.header },
        initialCiphertext: confirmation.ciphertext,
      },
    ];
  }

  async #signalAccept(complete: SignalSessionComplete): Promise<void> {
    const spk = this.#signedPrekey;
    if (spk === undefined) throw new CryptoError(CRYPTO_ERROR.notReady, 'no signed prekey');
    if (complete.initialCiphertext === undefined)
      throw malformed('session-complete without its confirmation');
    const peer = this.#requirePeer();
    const x3dh = x3dhRespond(this.#o.identity, spk, {
      identity: peer,
      ephemeralKey: complete.ephemeralKey,
      signedPrekeyId: HANDSHAKE_SIGNED_PREKEY_ID,
    });
    const initial = ratchetInitResponder(x3dh.sharedSecret, {
      publicKey: spk.publicKey,
      secretKey: spk.secretKey,
    });
    const header = complete.ratchetHeader;
    let opened: Awaited<ReturnType<typeof ratchetDecrypt>>;
    try {
      opened = await ratchetDecrypt(
        initial,
        header,
        complete.initialCiphertext,
        messageAssociatedData(x3dh.associatedData, AD_PURPOSE_SESSION_CONFIRMATION, new Uint8Array(0)),
        this.#o.random,
      );
    } catch (err) {
      if (isCryptoError(err, CRYPTO_ERROR.malformed)) throw err;
      throw new CryptoError(CRYPTO_ERROR.decryptFailed, 'Signal session confirmation does not authenticate');
    }
    if (
      header.n !== 0 ||
      header.pn !== 0 ||
      !constantTimeEqual(opened.plaintext, SESSION_CONFIRMATION_PLAINTEXT)
    ) {
      throw new CryptoError(CRYPTO_ERROR.decryptFailed, 'Signal session confirmation has unexpected content');
    }
    this.#signal = new SignalLayer(
      { state: opened.state, associatedData: x3dh.associatedData },
      this.#o.random,
    );
    this.#x3dhExport = exportSecret(x3dh.sharedSecret, X3DH_AES_INFO);
    wipe(x3dh.sharedSecret);
    // The ratchet copied what it needs; this handshake's prekey is never used again.
    wipe(spk.secretKey);
  }

  // ---- ML-KEM-768, both sides contributing ------------------------------------------------------

  #mlkemOffer(): HandshakePdu {
    this.#mlkemKeys = generateMlKemKeyPair(this.#o.random);
    return {
      type: PDU_TYPE.mlkemKeyExchange,
      sessionId: this.#sid(),
      generation: 0,
      publicKey: this.#mlkemKeys.publicKey,
    };
  }

  #mlkemAnswer(offer: MlkemKeyExchange): HandshakePdu {
    if (offer.generation !== 0) throw malformed('the handshake ML-KEM exchange is generation 0');
    this.#peerMlkemKey = offer.publicKey;
    this.#toPeer = encapsulateTo(offer.publicKey, this.#o.random);
    return {
      type: PDU_TYPE.mlkemKeyExchangeResponse,
      sessionId: this.#sid(),
      generation: 0,
      ciphertext: this.#toPeer.ciphertext,
    };
  }

  #mlkemFinish(res: MlkemKeyExchangeResponse): void {
    const keys = this.#mlkemKeys;
    if (keys === undefined) throw new CryptoError(CRYPTO_ERROR.notReady, 'no ML-KEM key pair');
    if (res.generation !== 0) throw malformed('the handshake ML-KEM exchange is generation 0');
    this.#fromPeer = {
      ciphertext: res.ciphertext,
      sharedSecret: decapsulate(res.ciphertext, keys.secretKey),
    };
  }

  #mlkemRoot(): Uint8Array {
    const keys = this.#mlkemKeys;
    const peerKey = this.#peerMlkemKey;
    const to = this.#toPeer;
    const from = this.#fromPeer;
    if (!keys || !peerKey || !to || !from)
      throw new CryptoError(CRYPTO_ERROR.notReady, 'ML-KEM exchange incomplete');
    const initiator = this.#o.role === 'initiator';
    return deriveMlKemRootSecret({
      initiatorPublicKey: initiator ? keys.publicKey : peerKey,
      responderPublicKey: initiator ? peerKey : keys.publicKey,
      ciphertextToResponder: initiator ? to.ciphertext : from.ciphertext,
      ciphertextToInitiator: initiator ? from.ciphertext : to.ciphertext,
      secretToResponder: initiator ? to.sharedSecret : from.sharedSecret,
      secretToInitiator: initiator ? from.sharedSecret : to.sharedSecret,
    });
  }

  // ---- Channel binding and the layers ----------------------------------------------------------

  transcriptHash(): Uint8Array {
    const pdus: Uint8Array[] = [];
    for (const sender of ['initiator', 'responder'] as const) {
      for (const type of HANDSHAKE_PDU_ORDER) {
        const bytes = this.#transcript.get(`${sender}:${type}`);
        if (bytes !== undefined) pdus.push(bytes);
      }
    }
    const own = this.#o.role === 'initiator';
    return transcriptHash({
      handshakePdus: pdus,
      initiatorFingerprint: own ? this.#o.localFingerprint : this.#o.remoteFingerprint,
      responderFingerprint: own ? this.#o.remoteFingerprint : this.#o.localFingerprint,
    });
  }

  async #bindingSend(): Promise<HandshakePdu> {
    const mlsState = this.#mlsState;
    const signal = this.#signal;
    const x3dhExport = this.#x3dhExport;
    if (!mlsState || !signal || !x3dhExport || !this.#mlkemKeys || !this.#peerMlkemKey) {
      throw new CryptoError(CRYPTO_ERROR.notReady, 'a layer is not initialised');
    }
    const hash = this.transcriptHash();
    const mlkemRoot = this.#mlkemRoot();
    const mlsExport = await exportMlsSecret(
      mlsState,
      this.#o.mlsSuite,
      MLS_AES_EXPORTER_LABEL,
      utf8(this.#sid()),
    );
    const mlkemExport = exportSecret(mlkemRoot, MLKEM_AES_INFO);
    const baseSecret = deriveAesBaseSecret([mlsExport, x3dhExport, mlkemExport], hash);
    const aes = await AesGcmLayer.create({
      role: this.#o.role,
      baseSecret,
      rotation: INITIAL_AES_ROTATION,
      now: this.#o.now,
    });
    const mlkem = MlKemLayer.create({
      role: this.#o.role,
      rootSecret: mlkemRoot,
      ownSecretKey: this.#mlkemKeys.secretKey,
      peerPublicKey: this.#peerMlkemKey,
      random: this.#o.random,
      now: this.#o.now,
    });
    // The layers copied their keys (the ML-KEM layer its own secret key too).
    wipe(mlsExport, mlkemExport, baseSecret, mlkemRoot, x3dhExport, this.#mlkemKeys.secretKey);
    if (this.#toPeer) wipe(this.#toPeer.sharedSecret);
    if (this.#fromPeer) wipe(this.#fromPeer.sharedSecret);
    this.#outcome = {
      sessionId: this.#sid(),
      role: this.#o.role,
      mls: new MlsLayer(mlsState, this.#o.mlsSuite),
      signal,
      mlkem,
      aes,
      transcriptHash: hash,
    };
    return {
      type: PDU_TYPE.handshakeFinished,
      sessionId: this.#sid(),
      transcriptHash: hash,
      signature: signTranscript(this.#o.identity, this.#o.role, hash),
    };
  }

  #bindingVerify(finished: HandshakeFinished): void {
    const outcome = this.#outcome;
    if (outcome === undefined) throw new CryptoError(CRYPTO_ERROR.notReady, 'binding not sent yet');
    const fail = () =>
      new HandshakeError(
        SESSION_ERROR.channelBindingFailed,
        'the peer signed a different transcript or fingerprints',
      );
    if (!constantTimeEqual(finished.transcriptHash, outcome.transcriptHash)) throw fail();
    try {
      verifyTranscript(this.#requirePeer(), this.peerRole, outcome.transcriptHash, finished.signature);
    } catch {
      throw fail();
    }
  }
}
