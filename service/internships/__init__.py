"""Internships (顶岗实习 / 岗位实习) of current students: placements recorded by their school,
confirmed by the employer, seen by the student; counts for staff. Never an employment outcome."""
