from celery import shared_task

from prachum.jobs import services


@shared_task(name="prachum.jobs.run_job", ignore_result=True)
def run_job_task(job_id: str) -> None:
    services.run_job(job_id=job_id)
