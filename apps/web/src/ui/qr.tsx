/** QR codes: generation (qrcode) as a data: PNG, and decoding of an uploaded image (jsqr). */
import jsQRModule from 'jsqr';
import { useEffect, useState } from 'preact/hooks';
import { toDataURL } from 'qrcode';

type JsQr = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;
/** jsqr is CommonJS with an ES-style default in its typings: accept either shape of the interop. */
const jsQR: JsQr =
  typeof jsQRModule === 'function'
    ? (jsQRModule as unknown as JsQr)
    : (jsQRModule as unknown as { default: JsQr }).default;

/** Largest image side decoded: bigger photos are scaled down (speed, memory). */
const MAX_DECODE_SIDE = 1024;

export function QrImage({ text, label }: { text: string; label: string }) {
  const [url, setUrl] = useState<string>();
  useEffect(() => {
    let live = true;
    toDataURL(text, { errorCorrectionLevel: 'M', margin: 2, width: 240 })
      .then((u) => live && setUrl(u))
      .catch(() => live && setUrl(undefined));
    return () => {
      live = false;
    };
  }, [text]);
  return url ? (
    <img class="qr" src={url} alt={label} width={240} height={240} />
  ) : (
    <div class="qr qr-empty" />
  );
}

/** The text of the first QR code in an image file, or undefined when there is none. */
export async function decodeQrFile(file: File): Promise<string | undefined> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    return undefined;
  }
  const scale = Math.min(1, MAX_DECODE_SIDE / Math.max(bitmap.width, bitmap.height));
  const w = Math.max(1, Math.round(bitmap.width * scale));
  const h = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext('2d');
  if (!ctx) return undefined;
  ctx.drawImage(bitmap, 0, 0, w, h);
  bitmap.close();
  const img = ctx.getImageData(0, 0, w, h);
  return jsQR(img.data, w, h)?.data ?? undefined;
}
