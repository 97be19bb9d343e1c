-- Every crosswalk target exists in its code seed, and a crosswalk row into
-- fct_outcomes agrees with outcome_codes on outcome_group and is_additive.
select cw.legacy_fact, cw.target_table, cw.target_code, cw.target_measure,
       'unknown or inconsistent target' as problem
from {{ ref('legacy_crosswalk') }} as cw
left join {{ ref('outcome_codes') }} as oc
  on cw.target_table = 'fct_outcomes' and oc.outcome_code = cw.target_code
left join {{ ref('applicant_types') }} as app
  on cw.target_table = 'fct_applications' and app.code = cw.target_code
left join {{ ref('litigation_proceedings') }} as lp
  on cw.target_table = 'fct_litigation' and lp.proceeding = cw.target_code
left join {{ ref('litigation_results') }} as lr
  on cw.target_table = 'fct_litigation' and lr.result = cw.target_measure
where case cw.target_table
        when 'fct_outcomes' then
             oc.outcome_code is null
          or cw.target_measure <> 'count'
          or cw.outcome_group is distinct from oc.outcome_group
          or cw.is_additive is distinct from oc.is_additive
        when 'fct_applications' then
             app.code is null
          or cw.target_measure not in ('new_received', 'carried_over', 'processed', 'carried_forward')
        when 'fct_litigation' then lp.proceeding is null or lr.result is null
        else true
      end
