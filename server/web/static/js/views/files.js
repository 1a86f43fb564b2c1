// Files: uploaded by button, drag-and-drop or paste before sending, and shown in posts, images as
// thumbnails from the server (external images are never loaded).

import { useSignal } from "@preact/signals";

import * as api from "../api.js";
import { html } from "../html.js";
import { Modal } from "./modal.js";

export async function upload(channelId, files) {
  const form = new FormData();
  form.append("channel_id", channelId);
  for (const file of files) form.append("files", file, file.name || "pasted-image.png");
  const answer = await api.request("POST", "files", form);
  return answer.file_infos || [];
}

function size(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function FileList({ files }) {
  const open = useSignal(null);
  if (!files || !files.length) return null;
  return html`<div class="post-files">
    ${files.map((file) => file.mime_type && file.mime_type.startsWith("image/") && file.has_preview_image !== false
      ? html`<button key=${file.id} type="button" class="file-image" aria-label=${`Open ${file.name}`} onClick=${() => (open.value = file)}>
          <img src=${`/api/v4/files/${file.id}/thumbnail`} alt=${file.name} loading="lazy" /></button>`
      : html`<a key=${file.id} class="file-card" href=${`/api/v4/files/${file.id}?download=1`} download=${file.name}>
          <span class="file-name">${file.name}</span><span class="muted">${size(file.size)}</span></a>`)}
    ${open.value && html`<${Preview} file=${open.value} onClose=${() => (open.value = null)} />`}
  </div>`;
}

function Preview({ file, onClose }) {
  return html`<${Modal} title=${file.name} onClose=${onClose}>
    <div class="file-preview">
      <img src=${`/api/v4/files/${file.id}/preview`} alt=${file.name} />
      <p><a href=${`/api/v4/files/${file.id}?download=1`} download=${file.name}>Download</a></p>
    </div>
  <//>`;
}

export function PendingFiles({ files, onRemove }) {
  if (!files.length) return null;
  return html`<ul class="pending-files" aria-label="Files to send">
    ${files.map((file) => html`<li key=${file.id}>${file.name} <span class="muted">${size(file.size)}</span>
      <button type="button" class="icon" aria-label=${`Remove ${file.name}`} onClick=${() => onRemove(file.id)}>×</button></li>`)}
  </ul>`;
}
