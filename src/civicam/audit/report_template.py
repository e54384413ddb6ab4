"""The Jinja2 template of the transparency report (kept in the package as a module)."""

from __future__ import annotations

TRANSPARENCY_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Camera network transparency report {{ d.year }}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       color: #1a1a1a; line-height: 1.45; }
h1 { font-size: 1.7rem; }
h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { border: 1px solid #ccc; padding: .25rem .6rem; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
p.none { color: #555; font-style: italic; }
pre { background: #f4f4f4; padding: .6rem; overflow-x: auto; font-size: .85rem; }
</style>
</head>
<body>
<h1>Camera network transparency report {{ d.year }}</h1>
<p>Period: {{ d.period_start | utc }} to {{ d.period_end | utc }} (end exclusive).
Generated {{ generated_at | utc }} by civicam {{ version }} from the tamper-evident audit log
({{ d.entry_count }} log entries in the period).</p>

{% macro table(rows, headers, numeric) %}
{% if rows %}
<table>
<thead><tr>{% for h in headers %}<th>{{ h }}</th>{% endfor %}</tr></thead>
<tbody>
{% for row in rows %}
<tr>{% for cell in row %}<td{% if loop.index0 >= numeric %} class="n"{% endif %}>
{%- if cell is float %}{{ '%.1f' | format(cell) }}{% else %}{{ cell }}{% endif -%}
</td>{% endfor %}</tr>
{% endfor %}
</tbody>
</table>
{% else %}
<p class="none">None in this period.</p>
{% endif %}
{% endmacro %}

<h2>Cameras by district and stated purpose</h2>
<p>{{ d.camera_count }} cameras in service at the time of the report.</p>
{{ table(d.cameras_by_district, ["District", "Stated purpose", "Cameras"], 2) }}

<h2>New and removed cameras</h2>
<h3>Added ({{ d.cameras_added | length }})</h3>
{{ table(d.cameras_added, ["Camera", "Name"], 2) }}
<h3>Removed ({{ d.cameras_removed | length }})</h3>
{{ table(d.cameras_removed, ["Camera", "Name"], 2) }}

<h2>Hours recorded</h2>
<p>{{ '%.1f' | format(d.hours_total) }} hours of footage were recorded in the period.</p>
{{ table(d.hours_by_district, ["District", "Hours"], 1) }}

<h2>Live viewing by role</h2>
{{ table(d.live_views_by_role, ["Role", "Live views"], 1) }}

<h2>Playbacks by role and reason</h2>
{{ table(d.playbacks, ["Role", "Reason category", "Playbacks"], 2) }}

<h2>Exports by role and reason</h2>
{{ table(d.exports, ["Role", "Reason category", "Exports"], 2) }}
<p>Exported packages downloaded: {{ d.export_downloads }}.</p>

<h2>Recipients of exports</h2>
{{ table(d.recipients, ["Recipient", "Exports"], 1) }}

<h2>Unmasking</h2>
<p>Privacy masks and person blurring were lifted {{ d.unmasks | sum(attribute=2) }} times.</p>
{{ table(d.unmasks, ["Role", "Camera", "Times"], 2) }}

<h2>Holds</h2>
<p>{{ d.holds_created }} holds created and {{ d.holds_released }} released in the period.</p>
{{ table(d.holds_by_category, ["Reason category", "Holds created"], 1) }}

<h2>Retention deletions</h2>
{{ table(d.deletions, ["Policy", "Segments deleted", "Hours deleted"], 1) }}

<h2>Access denied</h2>
{{ table(d.denials, ["Role", "Attempted", "Denials"], 2) }}

<h2>All logged acts</h2>
{{ table(d.entries_by_action, ["Action", "Entries"], 1) }}

<h2>Audit log signed head</h2>
{% if head %}
<p>The signed tree head below commits to every entry of the log up to entry
{{ head.tree_size - 1 }}{% if d.last_index is not none %}, which includes the last
entry of this period ({{ d.last_index }}){% endif %}. Anyone holding an audit bundle or a
later signed head can check that this report's log was not rewritten afterwards.
Signing key id: {{ head.key_id }}{% if d.public_key %},
public key {{ d.public_key }}{% endif %}.</p>
<pre>{{ head_json }}</pre>
{% else %}
<p class="none">No signed head covers this period yet (run <code>civicam audit sign</code>
and regenerate the report).</p>
{% endif %}
</body>
</html>
"""
