// A kind of flow for tests that need a flow row to hang codes on (codes reference their flow)
// and no flow of their own: it has nothing but a start and an end.
import { Type } from '@sinclair/typebox';
import { defineFlow } from '../../src/flows/flow-kind.ts';

export const testFlow = defineFlow('test', { moves: { code_sent: ['completed'] }, data: Type.Object({}) });
