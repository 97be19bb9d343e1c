-- 机关年度汇总: one wide row per agency-year (selected reports) for dashboards.
-- Applications measures are the `total` applicant column. Outcome groups sum the
-- `total` column of the additive outcome codes only (the pre-2019 不予公开 reasons,
-- group denied_breakdown, are a breakdown of legacy_denied and are left out).
-- Sums skip blank (NULL) cells and are NULL only when every cell is blank.
-- Shares are NULL when the denominator is NULL or 0.
-- Incremental by agency (macros/incremental_by_agency.sql).
{{ config(
    materialized='incremental', incremental_strategy='append', on_schema_change='fail',
    pre_hook="{{ follow_load_scope('agency_id') }}",
) }}
{%- set outcome_groups = ['granted', 'partially_granted', 'denied', 'unable', 'not_processed', 'other', 'total'] %}
{%- set proceedings = ['review', 'suit_direct', 'suit_after_review', 'suit'] %}
{%- set results = ['maintained', 'corrected', 'other', 'pending', 'total'] %}
{%- set suit_proceedings = "('suit_direct', 'suit_after_review', 'suit')" %}

with selected as (
    select report_id, agency_id, year, template, issue_count, has_imputed_cells
    from {{ ref('dim_report') }}
    where is_selected
      and {{ in_load_scope('agency_id') }}
),

applications as (
    select report_id, new_received, carried_over, processed, carried_forward
    from {{ ref('fct_applications') }}
    where applicant_type = 'total'
      and {{ in_load_scope('agency_id') }}
),

outcomes as (
    select
        o.report_id,
        {%- for g in outcome_groups %}
        sum(o."count") filter (where o.outcome_group = '{{ g }}') as outcomes_{{ g }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ ref('fct_outcomes') }} as o
    join {{ ref('outcome_codes') }} as codes
      on codes.outcome_code = o.outcome_code
    where o.applicant_type = 'total'
      and codes.is_additive
      and {{ in_load_scope('o.agency_id') }}
    group by o.report_id
),

litigation as (
    select
        report_id,
        {%- for p in proceedings %}{% for r in results %}
        max("count") filter (where proceeding = '{{ p }}' and result = '{{ r }}') as {{ p }}_{{ r }},
        {%- endfor %}{% endfor %}
        sum("count") filter (where proceeding in {{ suit_proceedings }} and result = 'corrected') as suits_corrected,
        sum("count") filter (where proceeding in {{ suit_proceedings }} and result = 'total') as suits_total
    from {{ ref('fct_litigation') }}
    where {{ in_load_scope('agency_id') }}
    group by report_id
)

select
    cast(s.agency_id as varchar)        as agency_id,
    cast(s.year as integer)             as year,
    cast(s.report_id as varchar)        as report_id,
    cast(a.agency_name as varchar)      as agency_name,
    cast(a.province as varchar)         as province,
    cast(a.city as varchar)             as city,
    cast(a.county as varchar)           as county,
    cast(a.admin_level as varchar)      as admin_level,
    cast(s.template as varchar)         as template,
    cast(ap.new_received as bigint)     as new_received,
    cast(ap.carried_over as bigint)     as carried_over,
    cast(ap.processed as bigint)        as processed,
    cast(ap.carried_forward as bigint)  as carried_forward,
    {%- for g in outcome_groups %}
    cast(o.outcomes_{{ g }} as bigint)  as outcomes_{{ g }},
    {%- endfor %}
    {%- for p in proceedings %}{% for r in results %}
    cast(l.{{ p }}_{{ r }} as bigint)   as {{ p }}_{{ r }},
    {%- endfor %}{% endfor %}
    cast(l.suits_corrected as bigint)   as suits_corrected,
    cast(l.suits_total as bigint)       as suits_total,
    cast(case when o.outcomes_total > 0
              then o.outcomes_granted / o.outcomes_total end as double) as share_granted,
    cast(case when l.review_total > 0
              then l.review_corrected / l.review_total end as double) as share_reviews_corrected,
    cast(case when l.suits_total > 0
              then l.suits_corrected / l.suits_total end as double) as share_suits_corrected,
    cast(s.has_imputed_cells as boolean) as has_imputed_cells,
    cast(s.issue_count as bigint)       as issue_count
from selected as s
left join {{ ref('dim_agency') }} as a on a.agency_id = s.agency_id
left join applications as ap on ap.report_id = s.report_id
left join outcomes as o on o.report_id = s.report_id
left join litigation as l on l.report_id = s.report_id
