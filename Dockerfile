# vocmatch API image: migrations, then the server. Point VOCMATCH_DATABASE_URL at PostgreSQL.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    VOCMATCH_HOST=0.0.0.0 VOCMATCH_PORT=8000

# 文泉驿正黑 (WenQuanYi Zen Hei): the Chinese font résumé PDFs embed (service/resumes/pdf.py)
RUN apt-get update && apt-get install -y --no-install-recommends fonts-wqy-zenhei && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 10001 vocmatch
WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
COPY service ./service
COPY matching ./matching
COPY scrapers ./scrapers
COPY vocab ./vocab
RUN pip install -c constraints.txt . && mkdir -p /app/var && chown vocmatch /app/var

USER vocmatch
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health').status != 200)"
CMD ["sh", "-c", "vocmatch migrate && exec vocmatch serve"]
