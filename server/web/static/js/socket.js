// /api/v4/websocket with Mattermost's reconnect rules (its webapp's WebSocketClient):
// retry after 3 s, after 7 failures after 3 s × failures² (at most 5 minutes), always up to 2 s of jitter;
// the URL carries connection_id and the next expected sequence number so the server can resume;
// an event out of sequence closes with 4001, a ping without pong with 4000, and either reconnects.

import { signal } from "@preact/signals";

const MIN_RETRY_MS = 3000;
const MAX_RETRY_MS = 5 * 60 * 1000;
const FAILS_BEFORE_BACKOFF = 7;
const JITTER_MS = 2000;
const PING_INTERVAL_MS = 30000;
export const CLOSE_MISSED_PONG = 4000;
export const CLOSE_OUT_OF_SEQUENCE = 4001;

export const connectionState = signal("connecting"); // connecting | open | reconnecting | failed

export function retryDelay(failures) {
  const base = failures > FAILS_BEFORE_BACKOFF ? Math.min(MIN_RETRY_MS * failures * failures, MAX_RETRY_MS) : MIN_RETRY_MS;
  return base + Math.floor(Math.random() * JITTER_MS);
}

export class Socket {
  constructor({ onEvent, onResync }) {
    this.onEvent = onEvent;
    // Called after a new connection (first, or the server restarted or forgot us): the caller refetches.
    this.onResync = onResync;
    this.connectionId = "";
    this.expectedSeq = 0;
    this.sendSeq = 1;
    this.failures = 0;
    this.pending = new Map();
    this.ws = null;
    this.stopped = false;
    this.retryTimer = null;
    this.pingTimer = null;
    this.awaitingPong = false;
    this.everOpened = false;
    window.addEventListener("online", () => this.reconnectSoon(MIN_RETRY_MS));
    window.addEventListener("offline", () => this.ping());
  }

  url() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const resume = this.connectionId
      ? `&connection_id=${encodeURIComponent(this.connectionId)}&sequence_number=${this.expectedSeq}`
      : "";
    return `${scheme}//${location.host}/api/v4/websocket?render=html${resume}`;
  }

  connect() {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    connectionState.value = this.everOpened ? "reconnecting" : "connecting";
    const ws = new WebSocket(this.url());
    this.ws = ws;
    ws.onmessage = (message) => this.receive(ws, message.data);
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      clearInterval(this.pingTimer);
      for (const { reject } of this.pending.values()) reject(new Error("the socket closed"));
      this.pending.clear();
      if (this.stopped) return;
      this.failures += 1;
      connectionState.value = this.failures > FAILS_BEFORE_BACKOFF ? "failed" : "reconnecting";
      this.reconnectSoon(retryDelay(this.failures));
    };
  }

  reconnectSoon(delay) {
    if (this.stopped || this.ws) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  close(code, reason) {
    if (this.ws) this.ws.close(code, reason);
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    if (this.ws) this.ws.close(1000);
  }

  receive(ws, text) {
    let message;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (message.seq_reply !== undefined) {
      const waiter = this.pending.get(message.seq_reply);
      if (waiter) {
        this.pending.delete(message.seq_reply);
        if (message.status === "OK") waiter.resolve(message.data);
        else waiter.reject(new Error((message.error && message.error.message) || "the server refused"));
      }
      return;
    }
    if (message.event === "hello" && message.data && message.data.connection_id !== this.connectionId) {
      const resumedBefore = this.everOpened;
      this.connectionId = message.data.connection_id;
      this.expectedSeq = message.seq + 1;
      this.opened(ws);
      this.onResync(resumedBefore ? "restart" : "first");
      this.onEvent(message);
      return;
    }
    if (message.seq !== this.expectedSeq) {
      // A gap means events were lost: close and let the resume (or a resync) fill it.
      ws.close(CLOSE_OUT_OF_SEQUENCE, "out of sequence");
      return;
    }
    this.expectedSeq += 1;
    if (message.event === "hello") this.opened(ws);
    this.onEvent(message);
  }

  opened(ws) {
    this.failures = 0;
    this.everOpened = true;
    connectionState.value = "open";
    clearInterval(this.pingTimer);
    this.awaitingPong = false;
    this.pingTimer = setInterval(() => {
      if (this.ws !== ws) return;
      if (this.awaitingPong) {
        ws.close(CLOSE_MISSED_PONG, "no pong");
        return;
      }
      this.ping();
    }, PING_INTERVAL_MS);
  }

  ping() {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return;
    this.awaitingPong = true;
    this.send("ping").then(
      () => { this.awaitingPong = false; },
      () => {},
    );
  }

  send(action, data = {}) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return Promise.reject(new Error("not connected"));
    const seq = this.sendSeq++;
    this.ws.send(JSON.stringify({ seq, action, data }));
    return new Promise((resolve, reject) => this.pending.set(seq, { resolve, reject }));
  }
}
