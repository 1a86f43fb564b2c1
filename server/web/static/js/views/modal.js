// A native modal <dialog>: it traps focus and closes on Escape.

import { useEffect, useRef } from "preact/hooks";

import { html } from "../html.js";

export function Modal({ title, onClose, children }) {
  const dialog = useRef(null);
  useEffect(() => {
    dialog.current.showModal();
  }, []);
  return html`<dialog ref=${dialog} class="modal" aria-labelledby="modal-title" onClose=${onClose}
    onCancel=${(e) => { e.preventDefault(); onClose(); }}>
    <header><h2 id="modal-title">${title}</h2><button type="button" class="icon" aria-label="Close" onClick=${onClose}>×</button></header>
    ${children}
  </dialog>`;
}
