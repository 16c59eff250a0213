"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-12-04 15:34:37.704409
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # btree_gist lets one exclusion constraint compare ids with = and periods with &&.
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.create_table('region',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    op.create_table('municipality',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('province', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('region_id', sa.Uuid(), nullable=True),
    sa.CheckConstraint("code ~ '^[0-9]{4}$'", name='code_four_digits'),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    op.create_index(op.f('ix_municipality_region_id'), 'municipality', ['region_id'], unique=False)
    op.create_table('organisation',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('kind', sa.Enum('CONTRACTING_AUTHORITY', 'CONTRACTOR', 'INTERMEDIARY', 'EMPLOYER_SERVICE_POINT', 'COORDINATION_POINT', name='ck_organisationkind', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('kvk_number', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
    sa.Column('region_id', sa.Uuid(), nullable=True),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.CheckConstraint("kind NOT IN ('EMPLOYER_SERVICE_POINT', 'COORDINATION_POINT') OR region_id IS NOT NULL", name='regional_kind_has_region'),
    sa.CheckConstraint("kvk_number ~ '^[0-9]{8}$'", name='kvk_number_eight_digits'),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('kvk_number')
    )
    op.create_index(op.f('ix_organisation_region_id'), 'organisation', ['region_id'], unique=False)
    op.create_table('policy',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('region_id', sa.Uuid(), nullable=True),
    sa.Column('source', sa.Text(), nullable=True),
    sa.Column('applies_to', sa.Text(), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('fulltime_hours_per_week', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('default_max_months', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('default_max_months IS NULL OR default_max_months > 0', name='default_max_months_positive'),
    sa.CheckConstraint('fulltime_hours_per_week > 0 AND fulltime_hours_per_week <= 60', name='fulltime_hours_in_range'),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    op.create_index(op.f('ix_policy_region_id'), 'policy', ['region_id'], unique=False)
    op.create_table('bonus',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('policy_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('kind', sa.Enum('YEARLY', 'ACTUAL_COSTS', name='ck_bonuskind', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('yearly_value', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('min_age', sa.Integer(), nullable=True),
    sa.CheckConstraint("(kind = 'YEARLY' AND yearly_value > 0) OR (kind <> 'YEARLY' AND yearly_value IS NULL)", name='yearly_bonus_has_value'),
    sa.ForeignKeyConstraint(['policy_id'], ['policy.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('policy_id', 'code', name='uq_bonus_code')
    )
    op.create_index(op.f('ix_bonus_policy_id'), 'bonus', ['policy_id'], unique=False)
    op.create_table('building_block',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('policy_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('yearly_value', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('max_months', sa.Integer(), nullable=True),
    sa.CheckConstraint('max_months IS NULL OR max_months > 0', name='max_months_positive'),
    sa.CheckConstraint('yearly_value > 0', name='yearly_value_positive'),
    sa.ForeignKeyConstraint(['policy_id'], ['policy.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('policy_id', 'code', name='uq_building_block_code')
    )
    op.create_index(op.f('ix_building_block_policy_id'), 'building_block', ['policy_id'], unique=False)
    op.create_table('cost_category',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('policy_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('valuation', sa.Enum('INVOICE_EXCL_VAT', 'HOURLY_RATE', 'INVOICE_OR_HOURLY_RATE', 'AGREED_WITH_ADVISER', name='ck_costvaluation', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('hourly_rate', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.CheckConstraint("valuation <> 'HOURLY_RATE' OR hourly_rate IS NOT NULL", name='hourly_category_has_rate'),
    sa.CheckConstraint('hourly_rate IS NULL OR hourly_rate > 0', name='hourly_rate_positive'),
    sa.ForeignKeyConstraint(['policy_id'], ['policy.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('policy_id', 'code', name='uq_cost_category_code')
    )
    op.create_index(op.f('ix_cost_category_policy_id'), 'cost_category', ['policy_id'], unique=False)
    op.create_table('residence',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('bag_code', sqlmodel.sql.sqltypes.AutoString(length=4), nullable=True),
    sa.Column('municipality_id', sa.Uuid(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('bag_code'),
    sa.UniqueConstraint('name', 'municipality_id', name='uq_residence_name_municipality')
    )
    op.create_index('ix_residence_lower_name', 'residence', [sa.literal_column('lower(name)')], unique=False)
    op.create_index(op.f('ix_residence_municipality_id'), 'residence', ['municipality_id'], unique=False)
    op.create_table('user_account',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('full_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('role', sa.Enum('CONTRACTING_AUTHORITY', 'CONTRACTOR', 'INTERMEDIARY', 'ACCOUNT_MANAGER', 'COORDINATOR', name='ck_role', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('password_hash', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('totp_secret', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('totp_confirmed', sa.Boolean(), nullable=False),
    sa.Column('totp_last_step', sa.BigInteger(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('email = lower(email)', name='email_lower_case'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('email')
    )
    op.create_index(op.f('ix_user_account_organisation_id'), 'user_account', ['organisation_id'], unique=False)
    op.create_table('project',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('reference', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('contracting_authority_id', sa.Uuid(), nullable=False),
    sa.Column('contractor_id', sa.Uuid(), nullable=False),
    sa.Column('intermediary_id', sa.Uuid(), nullable=True),
    sa.Column('region_id', sa.Uuid(), nullable=False),
    sa.Column('policy_id', sa.Uuid(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('agreement_type', sa.Enum('OBLIGATION', 'FRAMEWORK', 'BEST_EFFORT', name='ck_agreementtype', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('obligation_amount', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('fixed_amount', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('fixed_on', sa.Date(), nullable=True),
    sa.Column('status', sa.Enum('ACTIVE', 'AWAITING_APPROVAL', 'APPROVED', 'REJECTED', 'COMPLETED', name='ck_projectstatus', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("agreement_type = 'BEST_EFFORT' OR obligation_amount IS NOT NULL", name='obligation_required_unless_best_effort'),
    sa.CheckConstraint("agreement_type = 'FRAMEWORK' OR fixed_amount IS NULL", name='fixed_amount_only_for_framework'),
    sa.CheckConstraint('(fixed_amount IS NULL) = (fixed_on IS NULL)', name='fixed_amount_with_date'),
    sa.CheckConstraint('end_date >= start_date', name='end_not_before_start'),
    sa.CheckConstraint('fixed_amount IS NULL OR fixed_amount > 0', name='fixed_positive'),
    sa.CheckConstraint('intermediary_id IS NULL OR intermediary_id <> contractor_id', name='intermediary_not_contractor'),
    sa.CheckConstraint('obligation_amount IS NULL OR obligation_amount > 0', name='obligation_positive'),
    sa.ForeignKeyConstraint(['contracting_authority_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['contractor_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['created_by'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['intermediary_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['policy_id'], ['policy.id'], ),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_project_contracting_authority_id'), 'project', ['contracting_authority_id'], unique=False)
    op.create_index(op.f('ix_project_contractor_id'), 'project', ['contractor_id'], unique=False)
    op.create_index(op.f('ix_project_intermediary_id'), 'project', ['intermediary_id'], unique=False)
    op.create_index('ix_project_lower_name', 'project', [sa.literal_column('lower(name)')], unique=False)
    op.create_index(op.f('ix_project_policy_id'), 'project', ['policy_id'], unique=False)
    op.create_index(op.f('ix_project_region_id'), 'project', ['region_id'], unique=False)
    op.create_table('user_session',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    op.create_index(op.f('ix_user_session_user_id'), 'user_session', ['user_id'], unique=False)
    op.create_table('candidate',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('first_name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('name_infix', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True),
    sa.Column('last_name', sqlmodel.sql.sqltypes.AutoString(length=150), nullable=False),
    sa.Column('date_of_birth', sa.Date(), nullable=False),
    sa.Column('residence_id', sa.Uuid(), nullable=False),
    sa.Column('municipality_id', sa.Uuid(), nullable=False),
    sa.Column('job_title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('education_level', sa.Enum('NONE', 'PRIMARY', 'PRACTICAL', 'SPECIAL_SECONDARY', 'VMBO', 'HAVO_VWO', 'MBO_1', 'MBO_2', 'MBO_3', 'MBO_4', 'HBO', 'WO', name='ck_educationlevel', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('building_block_id', sa.Uuid(), nullable=False),
    sa.Column('bonus_codes', postgresql.ARRAY(sa.Text()), nullable=False),
    sa.Column('target_group', sa.Enum('PARTICIPATION_ACT', 'JOB_AGREEMENT', 'UNEMPLOYMENT_BENEFIT', 'DISABILITY_BENEFIT', 'NO_BENEFIT', 'YOUTH_WITHOUT_QUALIFICATION', 'STUDENT', 'STATUS_HOLDER', 'OTHER', name='ck_targetgroup', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('contract_type', sa.Enum('PERMANENT', 'TEMPORARY', 'APPRENTICESHIP', 'INTERNSHIP', 'SECONDMENT', 'TRIAL_PLACEMENT', name='ck_contracttype', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('hours_per_week', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('hourly_wage', sa.Numeric(precision=8, scale=2), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('person_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('first_day', sa.Date(), nullable=False),
    sa.Column('last_day', sa.Date(), nullable=False),
    sa.Column('yearly_value', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('hours_counted', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('fulltime_hours', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('value_forecast', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('declared_truthful_by', sa.Uuid(), nullable=False),
    sa.Column('declared_truthful_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('validated_by', sa.Uuid(), nullable=True),
    sa.Column('validated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    postgresql.ExcludeConstraint((sa.column('project_id'), '='), (sa.column('person_key'), '='), (sa.text("daterange(start_date, end_date, '[]')"), '&&'), using='gist', name='no_overlapping_person_on_project'),
    sa.CheckConstraint('end_date >= start_date', name='end_not_before_start'),
    sa.CheckConstraint('hourly_wage IS NULL OR hourly_wage > 0', name='wage_positive'),
    sa.CheckConstraint('hours_per_week > 0 AND hours_per_week <= 60', name='hours_per_week_in_range'),
    sa.CheckConstraint('value_forecast >= 0', name='value_not_negative'),
    sa.ForeignKeyConstraint(['building_block_id'], ['building_block.id'], ),
    sa.ForeignKeyConstraint(['declared_truthful_by'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], ),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ),
    sa.ForeignKeyConstraint(['residence_id'], ['residence.id'], ),
    sa.ForeignKeyConstraint(['validated_by'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_candidate_person_key'), 'candidate', ['person_key'], unique=False)
    op.create_index(op.f('ix_candidate_project_id'), 'candidate', ['project_id'], unique=False)
    op.create_table('cost',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('hours', sa.Numeric(precision=8, scale=2), nullable=True),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('category_id', sa.Uuid(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('declared_truthful_by', sa.Uuid(), nullable=False),
    sa.Column('declared_truthful_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('validated_by', sa.Uuid(), nullable=True),
    sa.Column('validated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount > 0', name='amount_positive'),
    sa.CheckConstraint('hours IS NULL OR hours > 0', name='hours_positive'),
    sa.ForeignKeyConstraint(['category_id'], ['cost_category.id'], ),
    sa.ForeignKeyConstraint(['declared_truthful_by'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ),
    sa.ForeignKeyConstraint(['validated_by'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_cost_project_date', 'cost', ['project_id', 'date'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_cost_project_date', table_name='cost')
    op.drop_table('cost')
    op.drop_index(op.f('ix_candidate_project_id'), table_name='candidate')
    op.drop_index(op.f('ix_candidate_person_key'), table_name='candidate')
    op.drop_table('candidate')
    op.drop_index(op.f('ix_user_session_user_id'), table_name='user_session')
    op.drop_table('user_session')
    op.drop_index(op.f('ix_project_region_id'), table_name='project')
    op.drop_index(op.f('ix_project_policy_id'), table_name='project')
    op.drop_index('ix_project_lower_name', table_name='project')
    op.drop_index(op.f('ix_project_intermediary_id'), table_name='project')
    op.drop_index(op.f('ix_project_contractor_id'), table_name='project')
    op.drop_index(op.f('ix_project_contracting_authority_id'), table_name='project')
    op.drop_table('project')
    op.drop_index(op.f('ix_user_account_organisation_id'), table_name='user_account')
    op.drop_table('user_account')
    op.drop_index(op.f('ix_residence_municipality_id'), table_name='residence')
    op.drop_index('ix_residence_lower_name', table_name='residence')
    op.drop_table('residence')
    op.drop_index(op.f('ix_cost_category_policy_id'), table_name='cost_category')
    op.drop_table('cost_category')
    op.drop_index(op.f('ix_building_block_policy_id'), table_name='building_block')
    op.drop_table('building_block')
    op.drop_index(op.f('ix_bonus_policy_id'), table_name='bonus')
    op.drop_table('bonus')
    op.drop_index(op.f('ix_policy_region_id'), table_name='policy')
    op.drop_table('policy')
    op.drop_index(op.f('ix_organisation_region_id'), table_name='organisation')
    op.drop_table('organisation')
    op.drop_index(op.f('ix_municipality_region_id'), table_name='municipality')
    op.drop_table('municipality')
    op.drop_table('region')
