// Email bodies are built as strings (no renderer in mail), so every value that came from outside
// the template — the store name, a URL, a formatted time — passes through here before it touches
// HTML. Quotes are escaped too because values also land inside attribute values (href="…").
const replacements: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (ch) => replacements[ch]);
}
