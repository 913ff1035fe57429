"""Claims analysis: counts of tagged annotations by brief, actor, tag, time and co-occurrence.

filters.py   the filters every view shares (form, dataclass, the annotations they select)
queries.py   one aggregate query per view: matrix, timeline, co-occurrence (GROUP BY in SQL)
"""
