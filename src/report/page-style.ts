/** The report page's stylesheet. */
export const PAGE_STYLE = `
:root { --ink: #1d2433; --muted: #5b6577; --line: #e3e7ee; --bg: #f6f7fb; --card: #fff; --accent: #3b6fb6; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 28px 24px 48px; }
header h1 { margin: 0; font-size: 28px; letter-spacing: -0.01em; }
header .sub { margin: 2px 0 0; color: var(--muted); }
section { background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 18px 22px; margin-top: 20px; box-shadow: 0 1px 2px rgba(20,30,60,.04); }
h2 { margin: 0 0 10px; font-size: 18px; }
.lead { margin: 0 0 12px; color: var(--muted); max-width: 900px; }
table.card { border-collapse: collapse; font-size: 14px; }
table.card th { text-align: left; font-weight: 600; color: var(--muted); padding: 3px 18px 3px 0; vertical-align: top; white-space: nowrap; }
table.card td { padding: 3px 0; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 13px; }
.note { color: #8a5a00; background: #fff7e0; border-radius: 6px; padding: 6px 10px; margin: 10px 0 0; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(340px, 1fr)); gap: 14px; }
figure { margin: 0; }
.panel { border: 1px solid var(--line); border-radius: 10px; padding: 6px; background: #fff; }
.panel.wide { max-width: 760px; }
svg.chart { width: 100%; height: auto; display: block; font-size: 11px; }
svg.chart .grid { stroke: #eef0f4; }
svg.chart .axis { stroke: #9aa3b2; }
svg.chart .tick, svg.chart .legend { fill: #5b6577; }
svg.chart .axis-title { fill: #5b6577; font-size: 12px; }
svg.chart .chart-title { fill: var(--ink); font-weight: 600; font-size: 13px; }
.facts { margin: 10px 0 0; padding-left: 20px; }
.legend { display: flex; gap: 0; align-items: center; margin-bottom: 8px; font-size: 12px; }
.legend span { padding: 1px 10px; color: #141414; }
.legend em { margin-left: 12px; color: var(--muted); font-style: normal; }
pre { font: 13px/1.55 ui-monospace, SFMono-Regular, Menlo, monospace; white-space: pre-wrap; word-break: break-word; margin: 0; }
pre.excerpt { border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; max-height: 420px; overflow: auto; color: #141414; }
pre.excerpt span { position: relative; cursor: default; }
pre.excerpt span:hover { outline: 2px solid var(--ink); z-index: 2; }
pre.excerpt span:hover::after { content: attr(data-tip); position: absolute; left: 0; top: 1.6em; z-index: 3; white-space: pre; background: var(--ink); color: #fff; padding: 6px 9px; border-radius: 6px; font-size: 12px; line-height: 1.4; box-shadow: 0 4px 14px rgba(0,0,0,.2); }
.samples { display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); gap: 14px; }
.sample { border: 1px solid var(--line); border-radius: 10px; padding: 10px 12px; background: #fbfcfe; }
.sample figcaption { font-size: 12px; color: var(--muted); margin-bottom: 6px; }
.controls { display: flex; flex-wrap: wrap; gap: 10px 16px; align-items: end; margin-bottom: 12px; }
.controls label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); }
.controls input { font: inherit; color: var(--ink); padding: 5px 8px; border: 1px solid #cfd5df; border-radius: 6px; width: 110px; }
.controls input[name=prime] { width: 260px; }
.controls button { font: inherit; font-weight: 600; color: #fff; background: var(--accent); border: 0; border-radius: 6px; padding: 7px 18px; cursor: pointer; }
pre.out { border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; min-height: 120px; background: #fbfcfe; }
pre.out.busy { opacity: .5; }
.command { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; color: var(--muted); margin: 8px 0 0; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 0.92em; background: #eef1f6; padding: 1px 4px; border-radius: 4px; }
footer { color: var(--muted); font-size: 12px; margin-top: 22px; text-align: center; }
`;
