// A virtual authenticator for the passkey journeys (Chrome DevTools Protocol WebAuthn domain:
// ctap2, internal transport, resident keys, user verification), shared by every passkey file.
//
// /login asks for passkeys quietly on every load (the identifier field's autofill), and with
// automatic presence on the virtual authenticator answers that request at once: a journey that
// means to type a password turns presence off first and back on where it means to use the passkey.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { Page } from '../harness/browser.ts';

export async function addVirtualAuthenticator(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  return {
    /** Off: requests wait for a touch that never comes (the page's quiet autofill request stays pending). */
    presence: (enabled: boolean) => cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId, enabled }),
    credentials: async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials,
    /** A resident ES256 credential for `rpId` that no Gatehouse ever registered. */
    async addUnregistered(rpId: string) {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      await cdp.send('WebAuthn.addCredential', {
        authenticatorId,
        credential: {
          credentialId: randomBytes(16).toString('base64'),
          isResidentCredential: true,
          rpId,
          privateKey: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
          userHandle: randomBytes(32).toString('base64'),
          signCount: 0,
        },
      });
    },
  };
}
