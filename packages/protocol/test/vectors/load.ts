/**
 * Loads a golden vector file from packages/protocol/vectors. Fails when the file has no cases, so a
 * vector test can never pass vacuously.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface VectorFile<T> {
  vector: string;
  title: string;
  profile: string;
  source: string;
  cases: T[];
}

export function loadVectors<T>(
  file: string,
  dir: string = fileURLToPath(new URL('../../vectors/', import.meta.url)),
): VectorFile<T> {
  const path = join(dir, file);
  const doc = JSON.parse(readFileSync(path, 'utf8')) as VectorFile<T>;
  if (!Array.isArray(doc.cases) || doc.cases.length === 0) {
    throw new Error(`${file}: no vector cases loaded`);
  }
  return doc;
}

/** A case carrying the canonical JSON text and its UTF-8 hex. */
export interface WireCase {
  name: string;
  json: string;
  hex: string;
}

export function utf8Hex(text: string): string {
  return Array.from(new TextEncoder().encode(text), (b) => b.toString(16).padStart(2, '0')).join('');
}
