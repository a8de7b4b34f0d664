// A JSX-to-string renderer that escapes by default: text and attribute values are escaped unless
// they are already SafeHtml (the output of another element, or an explicit trustedHtml()).
export class SafeHtml {
  constructor(readonly html: string) {}
  toString(): string {
    return this.html;
  }
}

export type Child = SafeHtml | string | number | boolean | null | undefined | Child[];

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** Only for markup we wrote ourselves (never for anything a request carried). */
export function trustedHtml(html: string): SafeHtml {
  return new SafeHtml(html);
}

const VOID_ELEMENTS = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);

function renderChildren(children: Child[], out: string[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false || child === true) continue;
    if (Array.isArray(child)) renderChildren(child, out);
    else if (child instanceof SafeHtml) out.push(child.html);
    else out.push(escapeHtml(String(child)));
  }
}

type Props = Record<string, unknown> & { children?: Child };
type Component = (props: any) => SafeHtml;

export function h(tag: string | Component, props: Props | null, ...children: Child[]): SafeHtml {
  if (typeof tag === 'function') return tag({ ...(props ?? {}), children: children.length === 1 ? children[0] : children });
  const out: string[] = [`<${tag}`];
  for (const [name, value] of Object.entries(props ?? {})) {
    if (name === 'children' || value === null || value === undefined || value === false) continue;
    const attribute = name === 'className' ? 'class' : name === 'htmlFor' ? 'for' : name;
    if (!/^[a-zA-Z][\w:-]*$/.test(attribute)) throw new Error(`bad attribute name ${attribute}`);
    out.push(value === true ? ` ${attribute}` : ` ${attribute}="${escapeHtml(String(value))}"`);
  }
  out.push('>');
  if (VOID_ELEMENTS.has(tag)) return new SafeHtml(out.join(''));
  renderChildren(children, out);
  out.push(`</${tag}>`);
  return new SafeHtml(out.join(''));
}

export function Fragment(props: { children?: Child }): SafeHtml {
  const out: string[] = [];
  renderChildren([props.children], out);
  return new SafeHtml(out.join(''));
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace JSX {
    type Element = SafeHtml;
    interface IntrinsicElements {
      [tag: string]: Record<string, unknown>;
    }
    interface ElementChildrenAttribute {
      children: {};
    }
  }
}
