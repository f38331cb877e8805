"""Built-in reference data and a Chinese sample for demos, development and tests (内置样例数据).

Reference data (:func:`service.sample.loader.load_reference`, idempotent upserts):

* regions and the whole 2021 中职 专业目录: the national reference data of
  :func:`service.catalog.reference.load_reference` (also loaded by ``vocmatch migrate`` alone);
* eleven majors (专业) of the MOE 2021 《职业教育专业目录》 secondary-vocational part, with their in-field
  (对口) occupations, skills and certificates, from the project's hand-written core taxonomy
  ``matching/data/core_taxonomy.json`` (≈80 occupations, ≈160 skills, ≈40 certificates with
  Chinese and English aliases); the concepts and aliases go into the taxonomy tables;
* 14 fictional 中职 schools in Guangdong (``data/schools.json``; codes start with ``SAMPLE``).

Sample (:func:`service.sample.loader.load_sample`, once per database, ``source = 'sample'``),
generated deterministically from a seed (default 2026) and a reference date:

* 37 fictional employers across Guangdong with well-formed 统一社会信用代码 (most verified);
* about 110 postings for their in-field occupations: entry-level salaries of 3,500–8,000 元/月
  (internships and 顶岗实习 lower, part-time by the hour, a few 面议), required and preferred skills
  and certificates written as people write them, a few expired, filled or closed;
* 264 graduates of the cohorts 2024–2026 (two per school, major and cohort) with Chinese names,
  well-formed 身份证号 matching birth date and gender, student numbers with leading zeros,
  certificates, some competition awards, 顶岗实习 records and job preferences; their skills
  include aliases, traditional characters, full-width letters and a few typos on purpose;
* applications with status histories and 毕业去向 events (hires through the platform and
  school-survey outcomes such as 升学, 就业, 待就业).

All people and organisations are invented; any likeness to real ones is coincidental.
"""
