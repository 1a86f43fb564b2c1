// What the consoles' pages share to load and show data: a loader hook and the date format.

import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";

import { errorText } from "../api.js";

// load() runs on mount and whenever `deps` change; reload() runs it again. `data` is null until it answers.
// An answer that arrives after a newer call started, or after the page left, is dropped.
export function useLoad(load, deps = []) {
  const data = useSignal(null);
  const error = useSignal("");
  const generation = useRef(0);
  async function run() {
    const mine = ++generation.current;
    try {
      const answer = await load();
      if (mine === generation.current) {
        data.value = answer;
        error.value = "";
      }
    } catch (failure) {
      if (mine === generation.current) error.value = errorText(failure);
    }
  }
  useEffect(() => {
    run();
  }, deps);
  useEffect(() => () => {
    generation.current += 1;
  }, []);
  return { data, error, reload: run };
}

export function formatDate(ms) {
  if (!ms) return "";
  return new Date(ms).toLocaleString([], { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
}
