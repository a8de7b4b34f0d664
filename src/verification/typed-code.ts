// What a shopper typed into a code field, read once for every flow and every way.
//
// People paste codes with spaces, line breaks and tabs ("123 456", a code copied from a mail with a
// trailing newline); none of that is part of any code, so all white space goes. What is left is
// passed on as a `TypedCode`, which only this function makes: a check that receives one knows the
// field was not empty, so no flow asks again and no two flows clean it up differently.
import { fail, type Failure } from '../shared/failure.ts';

export type TypedCode = string & { readonly typedCode: unique symbol };

export function readTypedCode(text: string | undefined): { ok: true; code: TypedCode } | Failure<'code.missing'> {
  const code = (text ?? '').replace(/\s+/g, '');
  if (code === '') return fail('code.missing', { field: 'code' });
  return { ok: true, code: code as TypedCode };
}
