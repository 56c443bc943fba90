type Child = Node | string | number | null | undefined | false;
type Attributes = Record<string, string | boolean | number | null | undefined | EventListener>;

/**
 * Builds an element. Text always goes in as text nodes (never HTML), so nothing the API returns can become markup; `on*`
 * attributes that are functions become listeners.
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (typeof value === "function") {
      element.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (value === true) {
      element.setAttribute(name, "");
    } else if (value !== false && value !== null && value !== undefined) {
      element.setAttribute(name, String(value));
    }
  }

  element.append(...children.filter(c => c !== null && c !== undefined && c !== false).map(c => typeof c === "number" ? String(c) : c as Node | string));
  return element;
}

export function field(label: string, input: HTMLInputElement | HTMLSelectElement): HTMLLabelElement {
  return h("label", {}, label, input);
}

export function time(iso: string | null | undefined): HTMLElement | string {
  return iso ? h("time", { datetime: iso }, new Date(iso).toLocaleString()) : "—";
}

export function badge(text: string): HTMLElement {
  return h("span", { class: `badge ${text}` }, text);
}

/** Announces a short message to screen readers (and shows it briefly). */
export function announce(message: string): void {
  const status = document.getElementById("status");
  if (status) {
    status.textContent = message;
    setTimeout(() => { if (status.textContent === message) status.textContent = ""; }, 4000);
  }
}

export function formValues(form: HTMLFormElement): Record<string, string> {
  const values: Record<string, string> = {};
  new FormData(form).forEach((value, key) => { if (typeof value === "string") values[key] = value; });
  return values;
}
