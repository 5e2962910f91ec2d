# The ispeed-pipeline image: the official Airflow image, extended with the project's requirements
# and its code. docker-compose.yaml builds it; docs/deployment.md explains the deployment.
#
# The tag must match the apache-airflow pin in requirements.txt, and the Python version the one the
# project is tested on (3.11); tests/test_deployment.py checks both.
FROM apache/airflow:3.3.2-python3.11

# Dependencies. requirements.txt pins every package the project needs (it is the project's lock,
# tested together on Python 3.11 by `make test`), including apache-airflow==3.3.2 itself, the
# image's own version. This is the official way to extend the image with a requirements file:
# install it as the airflow user, and name "apache-airflow==${AIRFLOW_VERSION}" (set by the base
# image) in the same command so that pip can never up- or downgrade the Airflow the image was
# built with. Airflow's constraint file (${HOME}/constraints.txt in the image) is deliberately not
# passed: it pins many of the same packages to other versions than our lock, and pip refuses a pin
# that contradicts a constraint.
# requirements-production.txt is requirements.txt (-r) plus the Celery topology's own pins (the
# Celery and FAB providers, celery, kombu, redis): the same lock a Department without Docker installs.
COPY --chown=airflow:0 requirements.txt /requirements.txt
COPY --chown=airflow:0 requirements-production.txt /requirements-production.txt
RUN pip install --no-cache-dir "apache-airflow==${AIRFLOW_VERSION}" -r /requirements-production.txt

# The code, so that the image runs without bind mounts too (docker-compose.yaml mounts the
# checkout's folders over these for development). plugins/ispeed/paths.py finds include/ under
# ISPEED_PROJECT_ROOT; everything the pipeline writes goes under ISPEED_DATA_DIR.
COPY --chown=airflow:0 dags/ /opt/airflow/dags/
COPY --chown=airflow:0 plugins/ /opt/airflow/plugins/
COPY --chown=airflow:0 include/ /opt/airflow/include/
ENV ISPEED_PROJECT_ROOT=/opt/airflow \
    ISPEED_DATA_DIR=/opt/airflow/data \
    PYTHONPATH=/opt/airflow/plugins
RUN mkdir -p /opt/airflow/data
