// The report's only stylesheet, inlined. System fonts only: the page must not load anything.

export const REPORT_CSS = `
:root { --fg:#1d2329; --muted:#5b6570; --line:#d5dae0; --bg:#fff; --soft:#f4f6f8;
  --viol:#c62828; --warn:#b26a00; --info:#1565c0; --nobs:#6d6d6d; --ok:#2e7d32;
  --pub:#00838f; --conn:#2e7d32; --sub:#6a1b9a; --disc:#b26a00; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--fg); background: var(--bg); }
header.top { padding: 16px 24px 8px; border-bottom: 1px solid var(--line); }
header.top h1 { margin: 0 0 4px; font-size: 20px; }
main { padding: 8px 24px 40px; }
section { margin: 18px 0 26px; }
h2 { font-size: 17px; margin: 0 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 10px 0 4px; }
.muted { color: var(--muted); }
code, pre, .mono { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12.5px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 3px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--soft); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; min-width: 120px; background: var(--soft); }
.card b { display: block; font-size: 20px; }
.sev { display: inline-block; padding: 0 6px; border-radius: 9px; color: #fff; font-size: 12px; font-weight: 600; }
.sev-violation { background: var(--viol); } .sev-warning { background: var(--warn); }
.sev-info { background: var(--info); } .sev-not-observable { background: var(--nobs); }
.pass { color: var(--ok); font-weight: 600; } .fail { color: var(--viol); font-weight: 600; } .na { color: var(--muted); }
a.fr { color: var(--info); cursor: pointer; text-decoration: none; border-bottom: 1px dotted; margin-right: 4px; }
tr.finding.hl td { background: #fff3c4; }
.controls { display: flex; flex-wrap: wrap; gap: 10px; align-items: center; margin: 6px 0; }
.controls label { font-size: 13px; color: var(--muted); }
.controls select, .controls input, .controls button { font: inherit; padding: 2px 6px; }
.pager { display: flex; gap: 8px; align-items: center; margin: 6px 0; }
#diagram-wrap { overflow-x: auto; border: 1px solid var(--line); border-radius: 6px; }
svg text { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12px; }
svg .label { paint-order: stroke; stroke: #fff; stroke-width: 4px; stroke-linejoin: round; }
svg .arrow { cursor: pointer; }
svg .arrow line, svg .pings line { stroke: #444; stroke-width: 1.4; }
svg .t-PUBLISH line { stroke: var(--pub); } svg .t-PUBLISH .label { fill: var(--pub); }
svg .t-CONNECT line, svg .t-CONNACK line { stroke: var(--conn); }
svg .t-SUBSCRIBE line, svg .t-SUBACK line, svg .t-UNSUBSCRIBE line, svg .t-UNSUBACK line { stroke: var(--sub); }
svg .t-DISCONNECT line, svg .close line { stroke: var(--disc); }
svg .bad line { stroke: var(--viol); stroke-width: 2; }
svg .pings line { stroke-dasharray: 3 3; }
svg .hl rect.bg { fill: #ffe98a; }
svg rect.bg { fill: transparent; }
svg .lifeline { stroke: #9aa4ae; stroke-dasharray: 4 4; }
svg .fwd { fill: none; stroke: var(--pub); stroke-dasharray: 2 3; stroke-width: 1.2; }
svg .head rect { fill: var(--soft); stroke: #9aa4ae; }
svg .mark { cursor: pointer; }
svg .mark text { fill: #fff; font-size: 10px; font-weight: 700; }
#list table { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12.5px; }
#list tr.row { cursor: pointer; }
#list tr.row:hover td { background: #f0f6ff; }
#list tr.row.hl td { background: #ffe98a; }
#list tr.detail pre { margin: 0; padding: 6px 10px; background: var(--soft); white-space: pre-wrap; }
.ka { margin: 6px 0 14px; }
.ka svg rect.win { fill: #c8e6c9; } .ka svg rect.grace { fill: #fff3c4; } .ka svg rect.late { fill: #ffcdd2; }
.ka svg .c2s { stroke: #1565c0; } .ka svg .s2c { stroke: #777; } .ka svg .ping { fill: var(--ok); }
.ka svg .kmark { fill: var(--viol); cursor: pointer; }
#rubric { border: 2px solid var(--info); border-radius: 8px; padding: 10px 14px; background: #f5f9ff; }
@media print {
  .controls, .pager button, .noprint { display: none !important; }
  body { font-size: 11px; }
  main, header.top { padding: 0; }
  #diagram-wrap { overflow: visible; border: none; }
  svg { max-width: 100%; height: auto; }
  section { break-inside: auto; }
  tr, .ka { break-inside: avoid; }
  h2 { break-after: avoid; }
  a.fr { border: none; color: inherit; }
}
`;
