import type { Analysis } from '../correlate/analysis';
import { CLUSTER } from '../correlate/cluster';
import { phraseFor } from '../knowledge/phrases';
import { notCheckedText, roleText } from './format';

/** Advice for a finding, injected so the report stays independent of the knowledge base. */
export type ExplainLookup = (id: string, cause?: string) => { meaning: string; nextSteps: string[] } | undefined;

export interface HtmlOptions {
  title?: string;
  explain?: ExplainLookup;
}

/** Caps that keep a report of a huge input to a few MB. */
const MAX_MARKERS = 5000;
const MAX_EVIDENCE = 20;
const MAX_TEXT = 500;

/** Events drawn as markers on the lanes. */
const MARKER_TYPES = new Set([
  'heartbeat-miss', 'heartbeat-fallback', 'local-health-failed', 'peer-health-failed', 'takeover-considered', 'restart-active',
  'takeover-complete', 'peer-requested-failed', 'oom', 'db-crash', 'db-corruption', 'degraded', 'db-replication-error', 'patch', 'upgrade', 'admin',
]);


/** `1 node`, `2 nodes`. */
function count(n: number, one: string): string {
  return `${n} ${one}${n === 1 ? '' : 's'}`;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function cut(s: string): string {
  const line = s.split('\n')[0];
  return line.length > MAX_TEXT ? `${line.slice(0, MAX_TEXT)}…` : line;
}

/** JSON safe inside a <script> element: no `</script>`, no `<!--`, no line separators. */
function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function time(iso: string | undefined): string {
  return iso ? `${iso.slice(0, 10)} ${iso.slice(11, 19)}` : '—';
}

/** The data the page's script draws from: plain numbers and strings, capped. */
function laneData(a: Analysis) {
  const nodes = a.report.nodes.map((n) => ({ name: n.name, role: n.role, state: n.state ?? 'unknown', offset: n.utcOffset ?? '' }));
  // A node keeps its last state after its own log ends: draw it to the end of what any node logged.
  const all0 = [...a.intervals.values()].flat();
  const last = Math.max(...all0.map((iv) => iv.end), ...a.events.map((e) => e.time ?? -Infinity));
  const first = Math.min(...all0.map((iv) => iv.start));
  // A little past the last line, so a state entered on the very last line is still visible.
  const end = last + Math.max(60_000, (last - first) * 0.02);
  // Held (assumed after a log ends) and peer-told stretches are drawn fainter than the node's own lines.
  const intervals = [...a.intervals.values()].flatMap((ivs) =>
    ivs.map((iv, k) => ({ node: iv.node, state: iv.state, source: iv.source, start: iv.start, end: k === ivs.length - 1 ? Math.max(iv.end, end) : iv.end })),
  );
  const all = a.events.filter((e) => e.time !== undefined && MARKER_TYPES.has(e.type));
  const markers = all.slice(0, MAX_MARKERS).map((e) => ({ node: e.node, time: e.time!, type: e.type, label: phraseFor(e) ?? e.type, where: `${e.file}:${e.line}` }));
  const spans = a.report.findings
    .filter((f) => (f.id === 'split-brain' || f.id === 'no-brain') && f.first && f.last)
    .map((f) => ({ kind: f.id, start: Date.parse(f.first), end: Date.parse(f.last) }));
  const incidents = a.report.incidents.map((i, k) => ({ id: k + 1, start: Date.parse(i.start), end: Date.parse(i.end) }));
  return { nodes, intervals, markers, omittedMarkers: all.length - markers.length, spans, incidents };
}

function findingsHtml(a: Analysis, explain?: ExplainLookup): string {
  if (!a.report.findings.length) return '<p class="none">No findings: nothing in these logs matches a known HA problem.</p>';
  return a.report.findings
    .map((f, k) => {
      const advice = explain?.(f.id, f.cause);
      const decision = a.causes.find((d) => d.condition === f.id && d.node === f.node);
      const why = decision ? `${decision.why} [smsdiag]` : undefined;
      const others = (decision?.candidates ?? []).filter((c) => c.cause !== decision?.cause);
      const considered = others.length ? `<p class="ids">Also considered: ${others.map((c) => `${esc(c.cause)} (${esc(c.for.map((x) => x.text).join('; '))}${c.against.length ? `; against it: ${esc(c.against.join('; '))}` : ''})`).join(' · ')}</p>` : '';
      const ev = f.evidence
        .slice(0, MAX_EVIDENCE)
        .map((e) => `<tr><td>${esc(time(e.time))}</td><td>${esc(e.node)}</td><td>${esc(`${e.file}:${e.line}`)}</td><td><code>${esc(cut(e.text))}</code></td></tr>`)
        .join('');
      const steps = advice ? `<h4>What to do</h4><ol>${advice.nextSteps.map((s) => `<li>${esc(s)}</li>`).join('')}</ol>` : '';
      const meaning = advice ? `<p>${esc(advice.meaning)}</p>` : '';
      return `<details class="finding sev-${f.severity}" id="finding-${k + 1}"${f.severity === 'critical' ? ' open' : ''}>
<summary><span class="sev">${esc(f.severity)}</span> <b>${esc(f.id)}</b> on <b>${esc(f.node)}</b> · ${esc(time(f.first))} → ${esc(time(f.last))} UTC · ${f.count}× · ${esc(f.summary)}${f.cause ? ` · cause <b>${esc(f.cause)}</b>${f.causeConfidence ? ` (${esc(f.causeConfidence)} confidence)` : ''}` : ''}</summary>
${why ? `<p class="why">${esc(why)}</p>` : ''}${considered}${meaning}
<table class="evidence"><thead><tr><th>time (UTC)</th><th>node</th><th>file:line</th><th>line</th></tr></thead><tbody>${ev}</tbody></table>
${steps}</details>`;
    })
    .join('\n');
}

function incidentsHtml(a: Analysis): string {
  if (!a.report.incidents.length) return '<p class="none">No incidents.</p>';
  return `<ol class="incidents">${a.report.incidents
    .map((i, k) => `<li><button type="button" class="zoom" data-incident="${k + 1}">${esc(time(i.start))} → ${esc(time(i.end))} UTC</button> <span class="ids">${esc(i.findings.join(', '))}</span><div class="chain">${esc(i.summary)}</div>${i.meanwhile?.length ? `<div class="ids">meanwhile: ${esc(i.meanwhile.join('; '))}</div>` : ''}</li>`)
    .join('')}</ol>`;
}

function nodesHtml(a: Analysis): string {
  return `<table class="nodes"><thead><tr><th>node</th><th>role</th><th>HA state</th><th>since (UTC)</th><th>UTC offset of its logs</th><th>not checked</th></tr></thead><tbody>${a.report.nodes
    .map((n) => `<tr><td>${esc(n.name)}</td><td>${esc(roleText(n))}</td><td><span class="chip st-${esc((n.state ?? 'unknown').toLowerCase())}">${esc(n.state ?? 'unknown')}</span></td><td>${esc(time(n.stateSince))}</td><td>${esc(n.utcOffset ?? '')}</td><td class="unchecked">${(n.notChecked ?? []).map((c) => esc(notCheckedText(c))).join('<br>') || '—'}</td></tr>`)
    .join('')}</tbody></table>`;
}

const CSS = `
:root{--fg:#1b1f24;--muted:#5b6570;--line:#d7dce1;--bg:#fff}
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg);margin:0;padding:24px 32px;max-width:1280px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 10px;border-bottom:1px solid var(--line);padding-bottom:4px}h4{margin:10px 0 4px}
.sub{color:var(--muted);margin:0 0 16px}table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-weight:600;color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.03em}code{font:12px/1.4 ui-monospace,Menlo,Consolas,monospace;white-space:pre-wrap;word-break:break-all}
.chip{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-weight:600;font-size:12px}
.st-active{background:#009E73}.st-passive{background:#56B4E9}.st-failed{background:#D55E00}.st-degraded{background:#E69F00}.st-restart{background:#CC79A7}
.st-synchronization-source,.st-synchronization-target{background:#0072B2}.st-configured{background:#8c8c8c}.st-un-configured,.st-unknown{background:#b5b5b5}
#lanes{width:100%;border:1px solid var(--line);border-radius:6px;background:#fafbfc}#lanes text{font-size:11px;fill:var(--fg)}
.controls{display:flex;gap:12px;align-items:center;margin:6px 0}.legend{display:flex;flex-wrap:wrap;gap:10px;font-size:12px;color:var(--muted)}
.legend i{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:4px;vertical-align:-2px}
button{font:inherit;border:1px solid var(--line);background:#fff;border-radius:4px;padding:2px 8px;cursor:pointer}button:hover{background:#eef2f6}
.incidents li{margin:6px 0}.chain{color:var(--fg);margin:2px 0 0 2px}.ids{color:var(--muted);font-size:12px}
.finding{border:1px solid var(--line);border-left:6px solid #999;border-radius:4px;margin:8px 0;padding:6px 10px}.finding summary{cursor:pointer}
.sev-critical{border-left-color:#D55E00}.sev-error{border-left-color:#E69F00}.sev-warning{border-left-color:#F0E442}.sev-info{border-left-color:#56B4E9}
.sev{text-transform:uppercase;font-size:11px;font-weight:700;color:var(--muted)}.why{background:#f4f6f8;padding:6px 10px;border-radius:4px}.none{color:var(--muted)}
@media print{body{padding:0;max-width:none}.controls button{display:none}details{break-inside:avoid}details:not([open])>*:not(summary){display:block}#lanes{border:none}}
`;

/**
 * The page's drawing code. It reads the embedded data and draws the lanes as SVG for the current
 * time window; clicking an incident narrows the window to it.
 */
const SCRIPT = String.raw`
(function(){
var D=JSON.parse(document.getElementById('lane-data').textContent);
var svg=document.getElementById('lanes');var NS='http://www.w3.org/2000/svg';
var COLORS={'Active':'#009E73','Passive':'#56B4E9','Failed':'#D55E00','Degraded':'#E69F00','Restart':'#CC79A7','synchronization-source':'#0072B2','synchronization-target':'#0072B2','Configured':'#8c8c8c','Un-configured':'#b5b5b5','Down':'#222','unknown':'#eeeeee'};
var OPACITY={'log':1,'restart':1,'peer':0.7,'held':0.35};
var MARK={'db-crash':'#000','db-corruption':'#000','oom':'#7a0177','heartbeat-miss':'#E69F00','heartbeat-fallback':'#E69F00','takeover-considered':'#D55E00','takeover-complete':'#D55E00','restart-active':'#D55E00','peer-requested-failed':'#D55E00'};
var times=[];D.intervals.forEach(function(i){times.push(i.start,i.end)});D.markers.forEach(function(m){times.push(m.time)});
if(!times.length){svg.setAttribute('height','40');return;}
var full=[Math.min.apply(null,times),Math.max.apply(null,times)];if(full[1]===full[0])full[1]=full[0]+60000;
var view=full.slice();
function el(n,a,p){var e=document.createElementNS(NS,n);for(var k in a)e.setAttribute(k,a[k]);(p||svg).appendChild(e);return e;}
function fmt(t){return new Date(t).toISOString().slice(0,19).replace('T',' ');}
function draw(){
  while(svg.firstChild)svg.removeChild(svg.firstChild);
  var W=svg.clientWidth||1200,L=170,R=20,H=46,T=24,w=W-L-R,h=T+D.nodes.length*H+30;
  svg.setAttribute('height',h);svg.setAttribute('viewBox','0 0 '+W+' '+h);svg.setAttribute('data-from',view[0]);svg.setAttribute('data-to',view[1]);
  var x=function(t){return L+(t-view[0])/(view[1]-view[0])*w;};
  var clip=function(a,b){return [Math.max(a,view[0]),Math.min(b,view[1])];};
  D.spans.forEach(function(s){var c=clip(s.start,s.end);if(c[1]<=c[0])return;el('rect',{x:x(c[0]),y:T-6,width:Math.max(2,x(c[1])-x(c[0])),height:D.nodes.length*H+4,fill:s.kind==='split-brain'?'#D55E00':'#555','fill-opacity':s.kind==='split-brain'?0.18:0.12,'data-span':s.kind}).appendChild(document.createElementNS(NS,'title')).textContent=(s.kind==='split-brain'?'both Active: ':'none Active: ')+fmt(s.start)+' → '+fmt(s.end)+' UTC';});
  D.nodes.forEach(function(n,k){
    var y=T+k*H;
    el('text',{x:8,y:y+16,'font-weight':'600'}).textContent=n.name;
    el('text',{x:8,y:y+30,fill:'#5b6570'}).textContent=n.role+' · UTC'+n.offset;
    var g=el('g',{'class':'lane','data-node':n.name});
    D.intervals.filter(function(i){return i.node===n.name}).forEach(function(i){
      var c=clip(i.start,i.end);if(c[1]<=c[0])return;
      var r=el('rect',{x:x(c[0]),y:y+4,width:Math.max(1,x(c[1])-x(c[0])),height:24,fill:COLORS[i.state]||'#ccc','fill-opacity':OPACITY[i.source]||1,stroke:i.state==='unknown'?'#bbb':'none','stroke-dasharray':'3 2','data-state':i.state,'data-source':i.source,'data-start':i.start,'data-end':i.end},g);
      el('title',{},r).textContent=n.name+' '+i.state+' ('+({'log':'its own log','peer':'its peer\'s log','restart':'down until it started again','held':'assumed: nothing logged since'})[i.source]+'): '+fmt(i.start)+' → '+fmt(i.end)+' UTC';
    });
    D.markers.filter(function(m){return m.node===n.name&&m.time>=view[0]&&m.time<=view[1]}).forEach(function(m){
      var c=el('path',{d:'M'+x(m.time)+' '+(y+30)+' l-5 9 h10 z',fill:MARK[m.type]||'#333','data-marker':m.type},g);
      el('title',{},c).textContent=fmt(m.time)+' UTC — '+m.label+' ('+m.where+')';
    });
  });
  var ay=T+D.nodes.length*H+8;el('line',{x1:L,x2:L+w,y1:ay,y2:ay,stroke:'#999'});
  for(var i=0;i<=6;i++){var t=view[0]+(view[1]-view[0])*i/6;el('line',{x1:x(t),x2:x(t),y1:ay,y2:ay+4,stroke:'#999'});el('text',{x:x(t),y:ay+16,'text-anchor':i===0?'start':i===6?'end':'middle'}).textContent=fmt(t).slice(5);}
}
document.querySelectorAll('button.zoom').forEach(function(b){b.addEventListener('click',function(){
  var inc=D.incidents.filter(function(i){return String(i.id)===b.getAttribute('data-incident')})[0];if(!inc)return;
  var pad=Math.max(60000,(inc.end-inc.start)*0.25);view=[inc.start-pad,inc.end+pad];draw();
  document.getElementById('timeline').scrollIntoView({behavior:'smooth'});});});
document.getElementById('reset').addEventListener('click',function(){view=full.slice();draw();});
window.addEventListener('resize',draw);draw();
})();`;

const LEGEND = [
  ['Active', '#009E73'], ['Passive', '#56B4E9'], ['Failed', '#D55E00'], ['Degraded', '#E69F00'], ['Restart', '#CC79A7'],
  ['synchronization', '#0072B2'], ['Configured', '#8c8c8c'], ['Un-configured', '#b5b5b5'], ['Down', '#222'], ['unknown', '#eeeeee'],
];

/** One self-contained HTML page: state swimlanes, incidents, findings with evidence and advice. */
export function renderHtml(a: Analysis, opts: HtmlOptions = {}): string {
  const title = opts.title ?? 'SMS HA diagnosis';
  const data = laneData(a);
  const critical = a.report.findings.filter((f) => f.severity === 'critical').length;
  const omitted = data.omittedMarkers ? `<span>${data.omittedMarkers} more events not drawn</span>` : '';
  const cluster = a.report.findings.some((f) => f.node === CLUSTER) ? ' (findings on "cluster" concern both nodes together)' : '';
  const warnings = a.report.warnings.length ? `<h2>Warnings</h2><ul>${a.report.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>` : '';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${esc(title)}</title><style>${CSS}</style></head>
<body>
<h1>${esc(title)}</h1>
<p class="sub">${count(a.report.nodes.length, 'node')} · ${count(a.report.findings.length, 'finding')} (${critical} critical) · ${count(a.report.incidents.length, 'incident')} · times in UTC${esc(cluster)}</p>
${nodesHtml(a)}
<h2 id="timeline">HA state over time</h2>
<div class="controls"><button type="button" id="reset">Show everything</button><div class="legend">${LEGEND.map(([n, c]) => `<span><i style="background:${c}"></i>${esc(n)}</span>`).join('')}<span><i style="background:#009E73;opacity:.35"></i>faint: assumed or told by the peer</span><span><i style="background:#D55E00;opacity:.3"></i>both Active</span><span><i style="background:#555;opacity:.2"></i>none Active</span><span>▲ event (hover for details)</span>${omitted}</div></div>
<svg id="lanes" role="img" aria-label="HA state of each node over time"></svg>
<h2>Incidents</h2>
${incidentsHtml(a)}
<h2>Findings</h2>
${findingsHtml(a, opts.explain)}
${warnings}
<script type="application/json" id="lane-data">${scriptJson(data)}</script>
<script>${SCRIPT}</script>
</body></html>
`;
}
