/**
 * The MLS part of the handshake (P3: `mls-key-package-request` → `mls-key-package` →
 * `mls-commit` + `mls-welcome` → `mls-welcome-ack`) for a two-member group (RFC 9420 §12–§13):
 * the initiator creates the group and commits an Add of the responder's KeyPackage; the responder
 * joins from the Welcome (which carries the ratchet tree). Functions take and return values; the
 * caller owns the resulting ClientState and hands it to MlsLayer.
 */
import {
  type Capabilities,
  type CiphersuiteImpl,
  type ClientState,
  createCommit,
  createGroup,
  decodeMlsMessage,
  defaultLifetime,
  emptyPskIndex,
  encodeMlsMessage,
  generateKeyPackage,
  joinGroup,
  type KeyPackage,
  mlsExporter,
  type PrivateKeyPackage,
  type Welcome,
} from 'ts-mls';
import { CRYPTO_ERROR, CryptoError } from '../errors.js';
import { mlsClientConfig } from './config.js';
import { MLS_CIPHERSUITE } from './provider.js';

/** Group ids and identities are short opaque strings; the cap stops oversized input early. */
export const MLS_MAX_ID_BYTES = 256;
/** Key packages and welcomes of suite 1 are ~330 bytes; anything near this cap is not ours. */
export const MLS_MAX_HANDSHAKE_MESSAGE_BYTES = 64 * 1024;

/**
 * What our members support: the profile's suite and basic credentials, nothing else. ts-mls's
 * defaultCapabilities() adds random GREASE values (RFC 9420 §13.5), which only matter for
 * interoperating with unknown implementations and would make key packages non-reproducible.
 */
export const MLS_CAPABILITIES: Capabilities = {
  versions: ['mls10'],
  ciphersuites: [MLS_CIPHERSUITE],
  extensions: [],
  proposals: [],
  credentials: ['basic'],
};

export interface MlsMember {
  keyPackage: KeyPackage;
  privatePackage: PrivateKeyPackage;
}

export async function createMlsMember(
  identity: Uint8Array,
  impl: CiphersuiteImpl,
): Promise<{ member: MlsMember; keyPackageBytes: Uint8Array }> {
  if (identity.length === 0 || identity.length > MLS_MAX_ID_BYTES) {
    throw new CryptoError(CRYPTO_ERROR.malformed, 'MLS identity must be 1..256 bytes');
  }
  const kp = await generateKeyPackage(
    { credentialType: 'basic', identity },
    MLS_CAPABILITIES,
    defaultLifetime,
    [],
    impl,
  );
  const keyPackageBytes = encodeMlsMessage({
    keyPackage: kp.publicPackage,
    wireformat: 'mls_key_package',
    version: 'mls10',
  });
  return { member: { keyPackage: kp.publicPackage, privatePackage: kp.privatePackage }, keyPackageBytes };
}

function decodeWhole(bytes: Uint8Array, what: string) {
  if (bytes.length === 0 || bytes.length > MLS_MAX_HANDSHAKE_MESSAGE_BYTES) {
    throw new CryptoError(CRYPTO_ERROR.malformed, `${what} has an impossible size`);
  }
  let decoded: ReturnType<typeof decodeMlsMessage>;
  try {
    decoded = decodeMlsMessage(bytes, 0);
  } catch {
    decoded = undefined;
  }
  if (decoded === undefined || decoded[1] !== bytes.length) {
    throw new CryptoError(CRYPTO_ERROR.malformed, `${what} is not a well-formed MLS message`);
  }
  return decoded[0];
}

export function decodeKeyPackage(bytes: Uint8Array): KeyPackage {
  const msg = decodeWhole(bytes, 'key package');
  if (msg.wireformat !== 'mls_key_package')
    throw new CryptoError(CRYPTO_ERROR.malformed, 'not an MLS key package');
  return msg.keyPackage;
}

function decodeWelcome(bytes: Uint8Array): Welcome {
  const msg = decodeWhole(bytes, 'welcome');
  if (msg.wireformat !== 'mls_welcome') throw new CryptoError(CRYPTO_ERROR.malformed, 'not an MLS welcome');
  return msg.welcome;
}

/** Initiator: a new group with the peer added. Returns the state plus commit and welcome bytes. */
export async function createTwoMemberGroup(
  impl: CiphersuiteImpl,
  own: MlsMember,
  peerKeyPackageBytes: Uint8Array,
  groupId: Uint8Array,
): Promise<{ state: ClientState; commitBytes: Uint8Array; welcomeBytes: Uint8Array }> {
  if (groupId.length === 0 || groupId.length > MLS_MAX_ID_BYTES) {
    throw new CryptoError(CRYPTO_ERROR.malformed, 'MLS group id must be 1..256 bytes');
  }
  const peer = decodeKeyPackage(peerKeyPackageBytes);
  if (peer.cipherSuite !== own.keyPackage.cipherSuite) {
    throw new CryptoError(CRYPTO_ERROR.malformed, 'peer key package uses another cipher suite');
  }
  try {
    const group = await createGroup(groupId, own.keyPackage, own.privatePackage, [], impl, mlsClientConfig);
    const result = await createCommit(
      { state: group, cipherSuite: impl },
      { extraProposals: [{ proposalType: 'add', add: { keyPackage: peer } }], ratchetTreeExtension: true },
    );
    if (result.welcome === undefined) throw new Error('no welcome');
    return {
      state: result.newState,
      commitBytes: encodeMlsMessage(result.commit),
      welcomeBytes: encodeMlsMessage({
        welcome: result.welcome,
        wireformat: 'mls_welcome',
        version: 'mls10',
      }),
    };
  } catch (err) {
    if (err instanceof CryptoError) throw err;
    // ts-mls verifies the key package signature, lifetime and capabilities while adding it.
    throw new CryptoError(CRYPTO_ERROR.badSignature, 'peer key package rejected');
  }
}

/** Responder: joins from the initiator's welcome (ratchet tree included). */
export async function joinTwoMemberGroup(
  impl: CiphersuiteImpl,
  own: MlsMember,
  welcomeBytes: Uint8Array,
): Promise<ClientState> {
  const welcome = decodeWelcome(welcomeBytes);
  let state: ClientState;
  try {
    state = await joinGroup(
      welcome,
      own.keyPackage,
      own.privatePackage,
      emptyPskIndex,
      impl,
      undefined,
      undefined,
      mlsClientConfig,
    );
  } catch {
    throw new CryptoError(CRYPTO_ERROR.decryptFailed, 'MLS welcome rejected');
  }
  const members = state.ratchetTree.filter((n) => n?.nodeType === 'leaf').length;
  if (members !== 2) throw new CryptoError(CRYPTO_ERROR.malformed, 'MLS group is not a two-member group');
  return state;
}

/** Exporter-secret length bounds: at least 32 bytes so exported keys are full strength. */
export const MLS_EXPORT_MIN_BYTES = 32;
export const MLS_EXPORT_MAX_BYTES = 64;

/**
 * MLS-Exporter(label, context, length) of the current epoch (RFC 9420 §8.5). The handshake uses it
 * for the AES base secret and the confirmation MACs, each under its own label.
 */
export async function exportMlsSecret(
  state: ClientState,
  impl: CiphersuiteImpl,
  label: string,
  context: Uint8Array,
  length = 32,
): Promise<Uint8Array> {
  if (length < MLS_EXPORT_MIN_BYTES || length > MLS_EXPORT_MAX_BYTES) {
    throw new CryptoError(CRYPTO_ERROR.malformed, 'MLS export length must be 32..64 bytes');
  }
  return mlsExporter(state.keySchedule.exporterSecret, label, context, length, impl);
}
