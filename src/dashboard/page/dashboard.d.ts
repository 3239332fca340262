// Lets TypeScript accept the text import of the browser scripts beside it (it is served, not run here).
declare const text: string;
export default text;
