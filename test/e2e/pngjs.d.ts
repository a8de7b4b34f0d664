// pngjs ships no types (it comes with `qrcode`); the QR tests only read a PNG into RGBA pixels.
declare module 'pngjs' {
  export const PNG: {
    sync: { read(buffer: Buffer): { width: number; height: number; data: Buffer } };
  };
}
