"""Graduate roster import (毕业生名册导入) from .xlsx / .csv files exported by student-record systems."""
