// The little of d3-node's API the charts use (the package ships no types). `d3` is the d3 v7
// module d3-node was built with; the charts keep their use of it to selections, scales and axes.
declare module 'd3-node' {
  export interface D3NodeOptions {
    selector?: string;
    container?: string;
    styles?: string;
  }
  export class D3Node {
    constructor(opts?: D3NodeOptions);
    // biome-ignore lint/suspicious/noExplicitAny: the package ships no types
    d3: any;
    // biome-ignore lint/suspicious/noExplicitAny: the package ships no types
    createSVG(width?: number, height?: number, attrs?: Record<string, string | number>): any;
    svgString(): string;
  }
}
