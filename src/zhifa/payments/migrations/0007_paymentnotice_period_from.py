# The day a payment notice's 15-day period starts when its 缴款码 arrived after the decision's delivery (Art. 67).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('payments', '0006_dashboard_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='paymentnotice',
            name='period_from',
            field=models.DateField(blank=True, help_text='缴款码在决定书送达后才取得的，缴款期限自取得缴款码、送达缴款通知书之日起计算；空为自决定书送达之日起计算', null=True, verbose_name='缴款期限起算日'),
        ),
    ]
