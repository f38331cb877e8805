"""Sign-up: graduates activate accounts bound to their roster record (by 学号 and 身份证号 or by a
school's invitation), adult trainees register, employers sign up and wait for approval."""
