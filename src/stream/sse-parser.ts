// Placeholder: implemented by the SSE parser work (see the interface below).
export {};
