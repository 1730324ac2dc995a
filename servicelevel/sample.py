"""The bundled sample: realistic helpdesk exports, generated deterministically and loaded
through the real importer, so the dashboard opens on data shaped like a real organisation's.

What the data tells (the pages should reveal it; tests/test_sample.py checks it):
- 11 departments. Eight serve the others through a Jira Service Management desk (one project
  per department); five serve external customers through Zendesk groups. Facilities and
  Payroll are outsourced (third party), Legal is an independent counsel, the rest in-house.
- Procurement slips: in the last SLIP_WEEKS weeks before the anchor its first responses and
  resolutions take SLIP_FACTOR times longer, some requests stall, promises break, scores drop.
- 'VPN access' (IT) rises over the last RISING_WEEKS weeks; 'Password reset' (IT) falls to
  about a third after self-service reset launched FIX_WEEKS_BEFORE_ANCHOR weeks before.
- Feedback (1-5, Portuguese and English; Facilities' vendor surveys on 1-10) scores lower
  after slow resolutions, late first responses, reopens and transfers; comments speak to the
  three dimensions of service: business (was it solved), human (respect, empathy) and hidden
  (the process behind the scenes); about one in eight says nothing a theme can catch ("Obrigado!").
- A few deliberately bad rows (BAD_ROWS) end in rejected_rows with named reasons.

Everything is vectorised over requests: arrivals are Poisson counts per category and day,
times come from lognormal durations in business minutes turned into clock time with a
cumulative business-minutes array (np.searchsorted), and every state is "as of" the export
moment, anchor + 2 days at 12:00 local time.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import holidays as holiday_lib
import numpy as np
import pandas as pd

from servicelevel import DATA_DIR

SAMPLE_DIR = DATA_DIR / "sample"
# The sources the sample's exports are imported under (the presets' own names, as real exports'
# would be: the import form warns that these mix with the sample).
SAMPLE_SOURCES = ("jira", "zendesk", "survey", "facilities_survey")
DEFAULT_SEED = 20260101
WEEKS = 52
DAY = 1440  # minutes
AS_OF_OFFSET = 2 * DAY + 12 * 60  # the export moment: anchor Monday + 2 days, 12:00 local
HORIZON_DAYS = 150  # business clock reach after the export moment (for work not yet done)

# The story.
SLIPPING_DEPARTMENT = "Procurement"
SLIP_WEEKS = 5
SLIP_FACTOR = 2.8
RISING_CATEGORY = "VPN access"
RISING_WEEKS = 8
RISING_PEAK = 3.5  # weekly volume at the anchor, as a multiple of the earlier baseline
FIXED_CATEGORY = "Password reset"
FIX_WEEKS_BEFORE_ANCHOR = 16
FIX_REMAINING = 0.3  # share of the weekly volume left after the fix

# Deliberately bad rows: (file, reason code the importer gives them).
BAD_ROWS = (
    ("jira_requests.csv", "missing_request_id"),
    ("jira_requests.csv", "unparseable_created_at"),
    ("jira_requests.csv", "resolved_before_created"),
    ("jira_requests.csv", "malformed_line"),
    ("jira_requests.csv", "duplicate_request_id"),
    ("zendesk_tickets.csv", "missing_created_at"),
    ("zendesk_tickets.csv", "unparseable_resolved_at"),
    ("zendesk_tickets.csv", "first_response_before_created"),
    ("csat_survey.csv", "missing_request_id"),
    ("csat_survey.csv", "missing_score"),
)


@dataclass(frozen=True)
class SampleFile:
    """One generated export and how to import it."""

    path: Path
    preset: str
    source: str
    timezone: str | None = None
    request_source: str | None = None


# --------------------------------------------------------------------------------------
# Organisation: departments, people, customers


@dataclass(frozen=True)
class Department:
    name: str
    key: str  # Jira project key
    headcount: int
    provider_type: str  # as the Jira custom field spells it


DEPARTMENTS = (
    Department("IT", "IT", 60, "In house"),
    Department("Human Resources", "HR", 22, "In house"),
    Department("Finance", "FIN", 35, "In house"),
    Department("Procurement", "PROC", 14, "In house"),
    Department("Facilities", "FAC", 8, "Third party"),
    Department("Legal", "LEG", 6, "Independent"),
    Department("Payroll", "PAY", 6, "Third party"),
    Department("Logistics", "LOG", 70, "In house"),
    Department("Customer Support", "CS", 90, "In house"),
    Department("Sales", "SAL", 80, "In house"),
    Department("Marketing", "MKT", 30, "In house"),
)
DEPARTMENT_NAMES = tuple(d.name for d in DEPARTMENTS)

FIRST_NAMES = (
    "Ana", "Bruno", "Carla", "Diego", "Eduarda", "Felipe", "Gabriela", "Henrique", "Isabela",
    "João", "Karina", "Lucas", "Mariana", "Nicolas", "Olívia", "Paulo", "Queila", "Rafael",
    "Sofia", "Thiago", "Úrsula", "Vinícius", "Wanda", "Xavier", "Yasmin", "Zeca", "Alice",
    "Bernardo", "Cecília", "Davi", "Elisa", "Fábio", "Giovana", "Heitor", "Irene", "Júlia",
    "Kevin", "Letícia", "Mateus", "Natália", "Otávio", "Priscila", "Renato", "Sabrina",
    "Tomás", "Valéria", "William", "Zoe",
)
LAST_NAMES = (
    "Example", "Sample", "Demo", "Exemplo", "Amostra", "Modelo", "Fictício", "Placeholder",
    "Mockup", "Teste", "Specimen", "Template",
)
VENDORS = {
    "Facilities": "Predial Example Serviços",
    "Payroll": "FolhaCerta Sample",
    "Legal": "Dra. Helena Example Advocacia",
}
ORG_STEMS = (
    "Globex", "Initech", "Acme", "Umbrella", "Vandelay", "Soylent", "Hooli", "Wonka",
    "Tyrell", "Cyberdyne", "Stark", "Wayne", "Oscorp", "Nakatomi", "Massive Dynamic",
    "Aperture", "Gringotts", "Monsters", "Planet", "Duff", "Krusty", "Sirius", "Dunder",
    "Pied Piper", "Bluth", "Prestige", "Gekko", "Zorg", "Vehement", "Spacely",
)
ORG_SUFFIXES = ("Ltd", "SA", "Ltda", "Inc", "GmbH", "Ltda", "SA", "ME")
N_CUSTOMERS = 2400

ACCENTS = str.maketrans("áàâãäéèêëíìîïóòôõöúùûüçÁÀÂÃÉÊÍÓÔÕÚÇºª", "aaaaaeeeeiiiiooooouuuucAAAAEEIOOOUCoa")


# --------------------------------------------------------------------------------------
# What is asked for: categories with their volumes, times and subjects


@dataclass(frozen=True)
class Category:
    """One kind of request a department handles; times are medians in business minutes."""

    system: str  # jira | zendesk
    department: str  # the provider
    name: str
    weekly: float  # requests per week at scale 1
    first_response: float
    work: float  # after the first response
    pause: float = 0.15  # share that waits on the requester (or an approval, a carrier)
    promise: float = 0.15  # share with a due date (Zendesk: the share that are tasks)
    component: str = ""  # Jira Component/s
    labels: tuple[str, ...] = ()  # Jira labels or Zendesk tags
    incident: bool = False  # Jira issue type Incident rather than Service Request
    on_hold: bool = False  # the pause is a hold (approval, third party), not the requester
    # How often it is urgent or high: the two top priorities' odds are multiplied by this (a
    # product question is rarely urgent, a VPN outage often is).
    urgency: float = 1.0


CATEGORIES = (
    # Internal requests (Jira Service Management), by provider department.
    Category("jira", "IT", "Password reset", 48, 15, 15, 0.03, 0.0, "Identity & Access", ("password",)),
    Category("jira", "IT", "VPN access", 16, 30, 120, 0.12, 0.05, "Network", ("vpn", "remote-work"), incident=True, urgency=2.0),
    Category("jira", "IT", "System access", 38, 30, 180, 0.15, 0.1, "Identity & Access", ("access",), urgency=2.0),
    Category("jira", "IT", "Laptop & hardware", 32, 45, 900, 0.2, 0.35, "Hardware", ("hardware",), incident=True, urgency=2.0),
    Category("jira", "IT", "Software installation", 30, 40, 300, 0.15, 0.15, "Software", ("software",)),
    Category("jira", "IT", "Email & calendar", 20, 30, 90, 0.1, 0.05, "Collaboration", ("email",)),
    Category("jira", "IT", "Printer", 12, 60, 240, 0.05, 0.05, "Hardware", ("printer",), incident=True),
    Category("jira", "Human Resources", "Vacation request", 20, 120, 240, 0.15, 0.3, "Time off", ("ferias",), urgency=0.1),
    Category("jira", "Human Resources", "Benefits", 12, 120, 600, 0.25, 0.15, "Benefits", ("beneficios",)),
    Category("jira", "Human Resources", "Employment certificate", 10, 90, 480, 0.05, 0.6, "Documents", (), urgency=0.1),
    Category("jira", "Human Resources", "Onboarding", 8, 90, 2400, 0.2, 0.9, "Onboarding", ("onboarding",)),
    Category("jira", "Human Resources", "Training", 7, 180, 600, 0.1, 0.3, "Learning", (), urgency=0.1),
    Category("jira", "Finance", "Expense reimbursement", 24, 120, 960, 0.3, 0.3, "Accounts payable", ("reembolso",)),
    Category("jira", "Finance", "Invoice payment", 14, 120, 1440, 0.2, 0.5, "Accounts payable", ("nf",), urgency=2.0),
    Category("jira", "Finance", "Budget question", 8, 180, 480, 0.1, 0.1, "Controlling", (), urgency=0.1),
    Category("jira", "Finance", "Cost center change", 6, 180, 600, 0.1, 0.2, "Controlling", (), urgency=0.1),
    Category("jira", "Procurement", "Purchase request", 22, 120, 1800, 0.35, 0.6, "Purchasing", ("compras",), on_hold=True),
    Category("jira", "Procurement", "Supplier registration", 9, 150, 2400, 0.3, 0.3, "Suppliers", ("fornecedor",)),
    Category("jira", "Procurement", "Quote request", 9, 120, 1200, 0.2, 0.5, "Purchasing", ("cotacao",)),
    Category("jira", "Procurement", "Purchase order change", 5, 120, 600, 0.1, 0.2, "Purchasing", ()),
    Category("jira", "Facilities", "Air conditioning", 12, 60, 480, 0.05, 0.1, "Building", ("hvac",), incident=True, urgency=2.0),
    Category("jira", "Facilities", "Cleaning", 10, 45, 120, 0.0, 0.05, "Services", (), urgency=0.1),
    Category("jira", "Facilities", "Meeting room setup", 9, 60, 240, 0.05, 0.7, "Services", ("eventos",), urgency=0.1),
    Category("jira", "Facilities", "Maintenance", 13, 60, 960, 0.1, 0.15, "Building", ("manutencao",), incident=True, urgency=2.0),
    Category("jira", "Facilities", "Parking badge", 6, 90, 480, 0.1, 0.1, "Access", (), urgency=0.1),
    Category("jira", "Legal", "Contract review", 9, 480, 2400, 0.3, 0.8, "Contracts", ("contratos",)),
    Category("jira", "Legal", "NDA", 5, 240, 600, 0.2, 0.6, "Contracts", ("nda",)),
    Category("jira", "Legal", "Power of attorney", 2, 480, 1440, 0.2, 0.5, "Corporate", (), urgency=0.1),
    Category("jira", "Payroll", "Payslip question", 16, 180, 480, 0.1, 0.05, "Payroll", ("holerite",)),
    Category("jira", "Payroll", "Overtime", 9, 180, 960, 0.15, 0.2, "Payroll", ("horas-extras",)),
    Category("jira", "Payroll", "Income tax statement", 7, 180, 600, 0.05, 0.3, "Tax", ("informe",), urgency=0.1),
    Category("jira", "Logistics", "Shipment request", 14, 90, 600, 0.15, 0.5, "Shipping", ("envio",)),
    Category("jira", "Logistics", "Courier pickup", 8, 45, 240, 0.05, 0.5, "Shipping", ("motoboy",)),
    Category("jira", "Logistics", "Stock transfer", 5, 120, 960, 0.1, 0.3, "Warehouse", ()),
    # External customers (Zendesk), by group.
    Category("zendesk", "Customer Support", "Order status", 55, 60, 60, 0.1, 0.03, labels=("pedido",), urgency=0.1),
    Category("zendesk", "Customer Support", "Returns & exchanges", 35, 60, 1440, 0.4, 0.1, labels=("troca",)),
    Category("zendesk", "Customer Support", "Product question", 40, 60, 120, 0.15, 0.03, labels=("duvida",), urgency=0.1),
    Category("zendesk", "Customer Support", "Complaint", 20, 90, 960, 0.2, 0.3, labels=("reclamacao",), urgency=2.0),
    Category("zendesk", "Finance", "Invoice copy", 30, 120, 30, 0.05, 0.02, labels=("boleto",), urgency=0.1),
    Category("zendesk", "Finance", "Billing error", 18, 180, 960, 0.25, 0.3, labels=("cobranca",), urgency=2.0),
    Category("zendesk", "Finance", "Refund", 12, 180, 2400, 0.3, 0.4, labels=("estorno",), on_hold=True),
    Category("zendesk", "Logistics", "Delivery delay", 35, 120, 1440, 0.35, 0.25, labels=("entrega",), on_hold=True),
    Category("zendesk", "Logistics", "Damaged item", 12, 120, 1440, 0.3, 0.2, labels=("avaria",), urgency=2.0),
    Category("zendesk", "Logistics", "Change delivery address", 13, 90, 120, 0.05, 0.05, labels=("endereco",), urgency=0.1),
    Category("zendesk", "IT", "Portal access", 25, 90, 120, 0.15, 0.03, labels=("portal",), urgency=2.0),
    Category("zendesk", "Sales", "Price quote", 10, 240, 480, 0.2, 0.5, labels=("orcamento",), urgency=0.1),
    Category("zendesk", "Sales", "Bulk order", 5, 240, 960, 0.3, 0.4, labels=("corporativo",)),
)

PLACEHOLDERS = {
    "pt": {
        "system": ("SAP", "Protheus", "Salesforce", "portal do RH", "sistema de ponto"),
        "software": ("Excel", "Power BI", "AutoCAD", "Zoom", "VS Code"),
        "floor": ("2º", "3º", "5º", "7º"),
        "month": ("janeiro", "março", "julho", "outubro", "dezembro"),
        "item": ("notebooks", "cadeiras", "licenças", "material de escritório", "monitores"),
        "device": ("iPhone", "Android", "Windows", "Mac"),
    },
    "en": {
        "system": ("SAP", "Protheus", "Salesforce", "HR portal", "timesheet system"),
        "software": ("Excel", "Power BI", "AutoCAD", "Zoom", "VS Code"),
        "floor": ("2nd", "3rd", "5th", "7th"),
        "month": ("January", "March", "July", "October", "December"),
        "item": ("laptops", "chairs", "licenses", "office supplies", "monitors"),
        "device": ("iPhone", "Android", "Windows", "Mac"),
    },
}

SUBJECTS = {
    "Password reset": (
        ("Redefinir senha", "Esqueci minha senha", "Senha expirada", "Senha bloqueada no {system}",
         "Preciso resetar a senha do {system}", "Reset de senha", "Minha senha não funciona"),
        ("Password reset", "Forgot my password", "Password expired", "Account locked in {system}",
         "Need to reset my {system} password"),
    ),
    "VPN access": (
        ("VPN não conecta", "Erro ao conectar na VPN", "VPN caindo toda hora",
         "Sem acesso à VPN no home office", "VPN muito lenta", "vpn nao conecta"),
        ("VPN not connecting", "Cannot connect to VPN", "VPN keeps disconnecting",
         "No VPN access from home", "VPN very slow"),
    ),
    "System access": (
        ("Não consigo acessar o sistema", "nao consigo acessar sistema", "Não consigo acessar o {system}",
         "Sem acesso ao {system}", "Solicitação de acesso ao {system}", "Erro de login no {system}"),
        ("Cannot access the system", "Cannot access {system}", "Access request for {system}",
         "Login error in {system}"),
    ),
    "Laptop & hardware": (
        ("Notebook não liga", "Troca de notebook", "Monitor com defeito", "Teclado e mouse novos",
         "Notebook muito lento", "Bateria do notebook não carrega"),
        ("Laptop won't turn on", "Laptop replacement", "Broken monitor", "New keyboard and mouse",
         "Laptop very slow"),
    ),
    "Software installation": (
        ("Instalar {software}", "Instalação do {software}", "Licença do {software} expirou",
         "Atualizar {software}"),
        ("Install {software}", "{software} installation", "{software} license expired", "Update {software}"),
    ),
    "Email & calendar": (
        ("Caixa de e-mail cheia", "Não recebo e-mails", "Compartilhar agenda",
         "Criar lista de distribuição", "Outlook travando"),
        ("Mailbox full", "Not receiving emails", "Share my calendar", "Create a distribution list",
         "Outlook freezing"),
    ),
    "Printer": (
        ("Impressora não imprime", "Impressora do {floor} andar com papel preso", "Instalar impressora",
         "Toner acabou"),
        ("Printer not printing", "Paper jam on the {floor} floor printer", "Install printer", "Out of toner"),
    ),
    "Vacation request": (
        ("Solicitação de férias", "Férias de {month}", "Alterar período de férias", "Saldo de férias"),
        ("Vacation request", "Vacation in {month}", "Change vacation dates", "Vacation balance"),
    ),
    "Benefits": (
        ("Inclusão de dependente no plano de saúde", "Vale refeição não caiu",
         "Dúvida sobre plano odontológico", "Cartão do plano de saúde"),
        ("Add dependant to health plan", "Meal voucher not credited", "Dental plan question"),
    ),
    "Employment certificate": (
        ("Declaração de vínculo empregatício", "Preciso de uma declaração de trabalho", "Carta para visto"),
        ("Employment verification letter", "Letter for visa application"),
    ),
    "Onboarding": (
        ("Admissão de novo colaborador", "Onboarding - novo analista", "Integração de novo estagiário"),
        ("New hire onboarding", "Onboarding for new analyst"),
    ),
    "Training": (
        ("Inscrição em treinamento", "Treinamento de {software}", "Certificado de curso"),
        ("Training enrollment", "{software} training"),
    ),
    "Expense reimbursement": (
        ("Reembolso de despesas", "Reembolso de viagem", "Reembolso de táxi", "Reembolso não pago"),
        ("Expense reimbursement", "Travel expenses refund", "Reimbursement not paid"),
    ),
    "Invoice payment": (
        ("Pagamento de nota fiscal", "Nota fiscal vencida", "Fornecedor cobrando pagamento",
         "Boleto para pagamento"),
        ("Invoice payment", "Overdue supplier invoice", "Supplier asking for payment"),
    ),
    "Budget question": (
        ("Dúvida sobre orçamento", "Saldo do orçamento de {month}", "Remanejamento de verba"),
        ("Budget question", "Budget balance for {month}"),
    ),
    "Cost center change": (
        ("Alteração de centro de custo", "Centro de custo errado"),
        ("Cost center change", "Wrong cost center"),
    ),
    "Purchase request": (
        ("Compra de {item}", "Requisição de compra - {item}", "Pedido de compra urgente", "Comprar {item}"),
        ("Purchase of {item}", "Purchase requisition - {item}", "Urgent purchase order"),
    ),
    "Supplier registration": (
        ("Cadastro de fornecedor", "Cadastro de novo fornecedor", "Atualizar dados bancários do fornecedor"),
        ("New supplier registration", "Update supplier bank details"),
    ),
    "Quote request": (
        ("Cotação de {item}", "Preciso de 3 orçamentos", "Cotação urgente"),
        ("Quote for {item}", "Need three quotes"),
    ),
    "Purchase order change": (
        ("Alterar pedido de compra", "Cancelar pedido de compra", "PO com valor errado"),
        ("Change purchase order", "Cancel purchase order", "PO with wrong amount"),
    ),
    "Air conditioning": (
        ("Ar-condicionado não funciona", "Sala muito quente", "Ar condicionado pingando",
         "Ar-condicionado muito frio no {floor} andar"),
        ("Air conditioning not working", "Office too hot", "AC too cold on the {floor} floor"),
    ),
    "Cleaning": (
        ("Limpeza da copa", "Banheiro sem papel", "Derramaram café no carpete"),
        ("Kitchen cleaning", "Restroom out of paper", "Coffee spilled on the carpet"),
    ),
    "Meeting room setup": (
        ("Reserva de auditório", "Preparar sala de reunião", "Coffee break para reunião"),
        ("Book the auditorium", "Meeting room setup", "Coffee break for a meeting"),
    ),
    "Maintenance": (
        ("Lâmpada queimada", "Porta emperrada", "Vazamento no banheiro", "Tomada não funciona"),
        ("Light bulb out", "Door stuck", "Leak in the restroom", "Power outlet not working"),
    ),
    "Parking badge": (
        ("Crachá de estacionamento", "Vaga de garagem", "Crachá não abre a catraca"),
        ("Parking badge", "Badge doesn't open the turnstile"),
    ),
    "Contract review": (
        ("Revisão de contrato", "Revisão de contrato com fornecedor", "Análise de contrato de prestação de serviço"),
        ("Contract review", "Review supplier contract", "Service agreement review"),
    ),
    "NDA": (
        ("NDA para novo parceiro", "Acordo de confidencialidade"),
        ("NDA for new partner", "Non-disclosure agreement"),
    ),
    "Power of attorney": (
        ("Procuração para representante", "Renovar procuração"),
        ("Power of attorney", "Renew power of attorney"),
    ),
    "Payslip question": (
        ("Dúvida no holerite", "Holerite com desconto errado", "Não recebi o holerite"),
        ("Payslip question", "Wrong deduction on payslip"),
    ),
    "Overtime": (
        ("Horas extras não pagas", "Banco de horas", "Hora extra de {month}"),
        ("Overtime not paid", "Overtime for {month}"),
    ),
    "Income tax statement": (
        ("Informe de rendimentos", "Preciso do informe de rendimentos", "Informe de rendimentos errado"),
        ("Annual income statement", "Income tax statement"),
    ),
    "Shipment request": (
        ("Envio de amostras para cliente", "Enviar equipamento para filial", "Despacho de material"),
        ("Ship samples to customer", "Send equipment to branch"),
    ),
    "Courier pickup": (
        ("Coleta de documentos", "Motoboy para entrega urgente"),
        ("Courier pickup", "Urgent courier delivery"),
    ),
    "Stock transfer": (
        ("Transferência de estoque", "Transferir itens para o CD"),
        ("Stock transfer", "Move items to the distribution center"),
    ),
    "Order status": (
        ("Onde está meu pedido?", "Pedido não chegou", "Qual o prazo de entrega do meu pedido",
         "Rastreamento do pedido", "status do pedido"),
        ("Where is my order?", "Order status", "Tracking my order"),
    ),
    "Returns & exchanges": (
        ("Troca de produto", "Quero devolver o produto", "Produto com defeito - troca", "Como faço para trocar"),
        ("Return request", "Exchange item", "How do I return this"),
    ),
    "Product question": (
        ("Dúvida sobre produto", "Produto é compatível com {device}?", "Manual do produto"),
        ("Product question", "Is it compatible with {device}?", "Product manual"),
    ),
    "Complaint": (
        ("Reclamação", "Péssimo atendimento", "Ninguém responde meus e-mails", "Quero falar com um supervisor"),
        ("Complaint", "Nobody answers my emails", "I want to speak to a manager"),
    ),
    "Invoice copy": (
        ("Segunda via do boleto", "2ª via de boleto", "segunda via boleto", "Segunda via da nota fiscal"),
        ("Copy of invoice", "Resend invoice"),
    ),
    "Billing error": (
        ("Cobrança em duplicidade", "Valor cobrado errado", "Cobrança indevida"),
        ("Charged twice", "Wrong amount charged"),
    ),
    "Refund": (
        ("Estorno não realizado", "Quero meu dinheiro de volta", "Reembolso do pedido"),
        ("Refund not received", "Refund request"),
    ),
    "Delivery delay": (
        ("Entrega atrasada", "Pedido atrasado", "Prazo de entrega estourado", "entrega atrasada!!!"),
        ("Late delivery", "Order delayed", "Delivery is late"),
    ),
    "Damaged item": (
        ("Produto chegou quebrado", "Embalagem danificada", "Item avariado"),
        ("Item arrived broken", "Damaged package"),
    ),
    "Change delivery address": (
        ("Alterar endereço de entrega", "Mudar endereço do pedido"),
        ("Change delivery address", "Wrong shipping address"),
    ),
    "Portal access": (
        ("Não consigo acessar o portal", "Não consigo fazer login no portal", "Esqueci a senha do portal",
         "Erro ao acessar minha conta", "nao consigo acessar o portal"),
        ("Cannot log in to the portal", "Forgot portal password", "Account access problem"),
    ),
    "Price quote": (
        ("Orçamento para 100 unidades", "Solicitação de orçamento", "Tabela de preços"),
        ("Price quote request", "Price list"),
    ),
    "Bulk order": (
        ("Pedido em grande quantidade", "Compra corporativa"),
        ("Bulk order", "Corporate purchase"),
    ),
}

# Survey comments: (language, polarity, dimension) -> texts. Polarity from the score:
# neg 1-2, mid 3, pos 4-5. Dimensions: business (was it solved), human (respect, empathy),
# hidden (the process behind the scenes).
COMMENTS = {
    ("pt", "pos", "business"): (
        "Resolveram rápido, obrigado!", "Problema resolvido na primeira tentativa.",
        "Funcionou, muito obrigado.", "Resolvido no mesmo dia, excelente.",
    ),
    ("pt", "pos", "human"): (
        "Atendimento muito educado e atencioso.", "Foi super paciente e explicou tudo com calma.",
        "Me senti ouvido, obrigado pela atenção.", "Excelente atendimento, muito cordial.",
    ),
    ("pt", "pos", "hidden"): (
        "Processo simples, não precisei repetir nada.", "Fui avisado de cada etapa, ótimo.",
        "O portal facilitou muito, tudo muito claro.",
    ),
    ("pt", "mid", "business"): (
        "Resolveu, mas demorou mais do que eu esperava.", "Resolvido em parte, ainda tenho dúvidas.",
        "Foi resolvido, mas precisei cobrar.",
    ),
    ("pt", "mid", "human"): (
        "Atendimento ok, mas um pouco frio.", "Responderam, mas sem muita explicação.",
    ),
    ("pt", "mid", "hidden"): (
        "Tive que preencher o mesmo formulário duas vezes.", "Não sabia em que etapa estava o pedido.",
    ),
    ("pt", "neg", "business"): (
        "Ainda não resolveram o problema.", "Demorou demais, fiquei uma semana esperando.",
        "Fecharam o chamado sem resolver.", "O problema voltou no dia seguinte.",
        "Péssimo, continua sem funcionar.",
    ),
    ("pt", "neg", "human"): (
        "Ninguém me deu retorno, me senti ignorado.", "Atendimento grosseiro e sem empatia.",
        "Prometeram ligar de volta e não ligaram.",
    ),
    ("pt", "neg", "hidden"): (
        "Tive que explicar tudo de novo para cada pessoa.", "O chamado foi transferido três vezes.",
        "Pediram os mesmos documentos de novo, processo muito burocrático.",
    ),
    ("en", "pos", "business"): (
        "Fixed quickly, thanks!", "Solved on the first try.", "Works now, thank you.",
        "Sorted out the same day, great.",
    ),
    ("en", "pos", "human"): (
        "Very polite and helpful agent.", "She was patient and explained everything.",
        "I felt heard, thanks for caring.", "Friendly and respectful service.",
    ),
    ("en", "pos", "hidden"): (
        "Simple process, I did not have to repeat myself.", "I was kept informed at every step.",
    ),
    ("en", "mid", "business"): (
        "Solved, but it took longer than I expected.", "Partly solved, I still have questions.",
        "It got done, but I had to chase it.",
    ),
    ("en", "mid", "human"): (
        "Service was fine, a bit cold.", "They answered but did not explain much.",
    ),
    ("en", "mid", "hidden"): (
        "I had to fill in the same form twice.", "I never knew what stage my request was at.",
    ),
    ("en", "neg", "business"): (
        "Still not fixed.", "Took far too long, I waited a whole week.",
        "They closed the ticket without solving it.", "The issue came back the next day.",
    ),
    ("en", "neg", "human"): (
        "Nobody got back to me, I felt ignored.", "Rude and dismissive.",
        "They promised to call back and never did.",
    ),
    ("en", "neg", "hidden"): (
        "I had to explain everything again to each person.", "My ticket was passed around three times.",
        "They asked for the same documents again, too much red tape.",
    ),
}

# Comments that say nothing about a dimension, as real surveys hold many: by (language,
# polarity). The lexicon must leave them unclassified (tests/test_themes.py).
PLAIN_COMMENTS = {
    ("pt", "pos"): ("Obrigado!", "Muito bom!", "Tudo certo.", "Valeu."),
    ("pt", "mid"): ("Ok.", "Normal.", "Nada a acrescentar.", "Poderia ser melhor."),
    ("pt", "neg"): ("Não gostei.", "Decepcionante.", "Insatisfeito."),
    ("en", "pos"): ("Thanks!", "Very good!", "All good.", "Cheers."),
    ("en", "mid"): ("OK.", "Fine.", "Nothing to add.", "Could be better."),
    ("en", "neg"): ("Not happy.", "Disappointed.", "Very disappointing."),
}
PLAIN_COMMENT_SHARE = 0.12
# Circumstances people add to a comment, touching no theme (tests/test_themes.py): half the
# comments end with one, so that a week's follow-up queue does not repeat itself word for word.
COMMENT_TAILS = {
    "pt": (
        "Era para o fechamento do mês.", "Precisava disso para a reunião de sexta.",
        "Estou na filial de Vila Fictícia.", "Uso o notebook da empresa.", "Foi numa segunda de manhã.",
        "Enviado do celular.", "Sou da equipe nova.", "Meu gestor também acompanhou.",
    ),
    "en": (
        "It was for the month-end close.", "I needed it for Friday's meeting.",
        "I work at the Springfield Example office.", "On my work laptop.", "This was on a Monday morning.",
        "Sent from my phone.", "I joined the team recently.", "My manager was copied in.",
    ),
}

# Latent satisfaction -> 1-5 score.
SCORE_THRESHOLDS = np.array([2.2, 2.9, 3.6, 4.4])

# Arrival patterns: share of a week's requests per weekday (Mon..Sun), and per hour of day.
WEEKDAY_SHARE = {
    "jira": np.array([1.2, 1.1, 1.0, 0.95, 0.8, 0.06, 0.04]),
    "zendesk": np.array([1.15, 1.05, 1.0, 1.0, 0.9, 0.45, 0.35]),
}
HOURS_WEEKDAY = {
    "jira": np.array([0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 2, 6, 10, 12, 10, 5, 6, 10, 11, 9, 6, 3,
                      1.5, 1, 0.7, 0.5, 0.3]),
    "zendesk": np.array([0.5, 0.3, 0.2, 0.2, 0.2, 0.3, 0.8, 2, 5, 8, 10, 9, 6, 6, 8, 9, 8, 7, 6,
                         6, 5, 4, 2, 1]),
}
HOURS_WEEKEND = np.array([0.5, 0.3, 0.2, 0.2, 0.2, 0.3, 0.5, 1, 2, 4, 5, 5, 4, 4, 4, 4, 4, 3, 3, 3,
                          3, 2, 1.5, 1])
# Business calendars (local time): weekday -> opening intervals in minutes of the day.
CALENDARS = {
    "jira": {wd: [(8 * 60, 18 * 60)] for wd in range(5)},
    "zendesk": {**{wd: [(8 * 60, 20 * 60)] for wd in range(5)}, 5: [(9 * 60, 13 * 60)]},
}
PRIORITIES = {
    "jira": (("Highest", "High", "Medium", "Low", "Lowest"), (0.03, 0.17, 0.6, 0.15, 0.05)),
    "zendesk": (("Urgent", "High", "Normal", "Low", ""), (0.04, 0.16, 0.6, 0.15, 0.05)),
}
# Per priority (same order as above): multipliers of first-response and work times.
PRIORITY_SPEED = np.array([0.25, 0.5, 1.0, 1.5, 2.0])
PRIORITY_WORK = np.array([0.4, 0.7, 1.0, 1.3, 1.6])
CHANNELS = {
    "jira": (("Portal", "Email", "Chat", "Phone"), (0.6, 0.25, 0.1, 0.05), (1.0, 1.3, 0.3, 0.1)),
    "zendesk": (
        ("Web form", "Mail", "Phone call (incoming)", "Chat", "WhatsApp", "Twitter"),
        (0.35, 0.3, 0.12, 0.12, 0.09, 0.02),
        (1.0, 1.3, 0.05, 0.2, 0.4, 0.8),
    ),
}


# --------------------------------------------------------------------------------------
# Time: the frame (which minutes the sample spans) and business clocks


@dataclass(frozen=True)
class _Frame:
    """Minutes since `origin` (local midnight, 52 weeks before the anchor) index all times."""

    anchor: date
    origin: date
    n_days: int  # days with arrivals (through the export day)
    anchor_min: float
    as_of: float
    holidays: np.ndarray  # bool per day of the clock's span
    weekday: np.ndarray  # 0 = Monday, per day of the clock's span


def _frame(anchor: date) -> _Frame:
    origin = anchor - timedelta(weeks=WEEKS)
    n_days = (anchor - origin).days + 3
    span = n_days + HORIZON_DAYS
    days = [origin + timedelta(days=i) for i in range(span)]
    years = sorted({d.year for d in days})
    closed = holiday_lib.country_holidays("BR", subdiv="SP", years=years)
    return _Frame(
        anchor=anchor,
        origin=origin,
        n_days=n_days,
        anchor_min=float((anchor - origin).days * DAY),
        as_of=float((anchor - origin).days * DAY + AS_OF_OFFSET),
        holidays=np.array([d in closed for d in days]),
        weekday=np.array([d.weekday() for d in days]),
    )


class _BusinessClock:
    """Business minutes elapsed since the frame's origin, and the inverse, on a minute grid."""

    def __init__(self, frame: _Frame, hours: dict[int, list[tuple[int, int]]]):
        template = np.zeros((7, DAY), dtype=bool)
        for weekday, intervals in hours.items():
            for start, end in intervals:
                template[weekday, start:end] = True
        open_by_day = template[frame.weekday] & ~frame.holidays[:, None]
        self.open = open_by_day.ravel()
        self.done = np.cumsum(self.open, dtype=np.int64)  # business minutes by each minute's end

    def at(self, t: np.ndarray) -> np.ndarray:
        """Business minutes elapsed at calendar minute t (float)."""
        i = np.clip(np.floor(t).astype(np.int64), 0, len(self.open) - 1)
        is_open = self.open[i]
        return self.done[i] - is_open + is_open * (t - i)

    def time_at(self, c: np.ndarray) -> np.ndarray:
        """The calendar minute at which the clock reaches c (NaN or inf stay as they are)."""
        finite = np.isfinite(c)
        safe = np.where(finite, c, 0.0)
        i = np.minimum(np.searchsorted(self.done, safe, side="left"), len(self.done) - 1)
        t = i + (safe - (self.done[i] - 1))
        return np.where(finite, t, c)


# --------------------------------------------------------------------------------------
# Arrivals and what happened to each request


def _volume_multipliers(cats: list[Category], frame: _Frame, system: str) -> np.ndarray:
    """Per category x day: the story's and the calendar's effect on volume."""
    day = np.arange(frame.n_days, dtype=float)
    day_min = day * DAY
    dates = pd.to_datetime(frame.origin) + pd.to_timedelta(day, unit="D")
    month, dom = dates.month.to_numpy(), dates.day.to_numpy()
    mult = np.ones((len(cats), frame.n_days))
    share = WEEKDAY_SHARE[system]
    mult *= (share[frame.weekday[: frame.n_days]] / share.sum() * 7)[None, :]
    year_end = ((month == 12) & (dom >= 24)) | ((month == 1) & (dom <= 2))
    if system == "jira":
        mult[:, frame.holidays[: frame.n_days]] *= 0.1
        mult[:, year_end] *= 0.45
    else:
        mult[:, frame.holidays[: frame.n_days]] *= 0.5
        mult *= (0.9 + 0.2 * day / frame.n_days)[None, :]  # a growing customer base
        # Black Friday (the fourth Friday of November) and the fortnight of deliveries after it.
        black_friday = (month == 11) & (frame.weekday[: frame.n_days] == 4) & (dom >= 22) & (dom <= 28)
        for start in np.flatnonzero(black_friday):
            mult[:, start : start + 14] *= 1.5
        mult[:, year_end] *= 0.7
    for i, cat in enumerate(cats):
        if cat.name == RISING_CATEGORY:
            ramp_start = frame.anchor_min - RISING_WEEKS * 7 * DAY
            progress = np.clip((day_min - ramp_start) / (frame.anchor_min - ramp_start), 0, None)
            mult[i] *= 1 + (RISING_PEAK - 1) * progress**1.5
        elif cat.name == FIXED_CATEGORY:
            fixed_at = frame.anchor_min - FIX_WEEKS_BEFORE_ANCHOR * 7 * DAY
            after = np.clip((day_min - fixed_at) / (7 * DAY), 0, 1)  # a week to catch on
            mult[i] *= 1 - (1 - FIX_REMAINING) * after
        elif cat.name == "Income tax statement":
            mult[i, (month == 2) | (month == 3)] *= 4  # statements are due by the end of February
        if cat.department == SLIPPING_DEPARTMENT:
            mult[i, day_min >= frame.anchor_min - SLIP_WEEKS * 7 * DAY] *= 1.2
    return mult


def _arrivals(rng, cats, frame: _Frame, system: str, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """(category index, created minute) of every request, ordered by creation."""
    weekly = np.array([c.weekly for c in cats])
    lam = weekly[:, None] / 7 * _volume_multipliers(cats, frame, system) * scale
    counts = rng.poisson(lam).ravel()
    cat = np.repeat(np.repeat(np.arange(len(cats)), frame.n_days), counts)
    day = np.repeat(np.tile(np.arange(frame.n_days), len(cats)), counts)
    quiet = (frame.weekday[day] >= 5) | frame.holidays[day]
    p_weekday = HOURS_WEEKDAY[system] / HOURS_WEEKDAY[system].sum()
    p_weekend = HOURS_WEEKEND / HOURS_WEEKEND.sum()
    hour = np.where(
        quiet,
        rng.choice(24, size=len(day), p=p_weekend),
        rng.choice(24, size=len(day), p=p_weekday),
    )
    created = day * DAY + hour * 60 + rng.random(len(day)) * 60
    keep = created < frame.as_of
    cat, created = cat[keep], created[keep]
    order = np.argsort(created, kind="stable")
    return cat[order], created[order]


def _lognormal(rng, median: np.ndarray, sigma: float) -> np.ndarray:
    return median * np.exp(sigma * rng.standard_normal(len(median)))


def _priorities(rng, cats, cat: np.ndarray, system: str) -> np.ndarray:
    """Each request's priority (index into PRIORITIES[system]), drawn from its category's odds.
    Drawn as Generator.choice draws (one uniform per request against the cumulative odds), so a
    category of urgency 1 gets exactly the priorities a plain choice would give."""
    odds = np.array(PRIORITIES[system][1])
    urgency = np.array([c.urgency for c in cats])
    weights = np.tile(odds, (len(cats), 1))
    weights[:, :2] *= urgency[:, None]
    cdf = weights.cumsum(axis=1)
    cdf /= cdf[:, -1:]
    uniform = rng.random(len(cat))
    return (cdf[cat] <= uniform[:, None]).sum(axis=1)


def _simulate(rng, cats, frame: _Frame, clock: _BusinessClock, system: str, scale: float) -> pd.DataFrame:
    """Every request's full life in calendar minutes (inf = not (yet) happened)."""
    cat, created = _arrivals(rng, cats, frame, system, scale)
    n = len(cat)
    dept = np.array([c.department for c in cats])[cat]
    priority = _priorities(rng, cats, cat, system)
    channel_names, p_channel, channel_speed = CHANNELS[system]
    channel = rng.choice(len(channel_names), size=n, p=p_channel)

    slipping = (dept == SLIPPING_DEPARTMENT) & (created >= frame.anchor_min - SLIP_WEEKS * 7 * DAY)
    slow = np.where(slipping, SLIP_FACTOR, 1.0)
    med_first = np.array([c.first_response for c in cats])[cat]
    med_work = np.array([c.work for c in cats])[cat]
    transfers = np.zeros(n, dtype=np.int64)
    if system == "zendesk":
        u = rng.random(n)
        transfers = (u < 0.12).astype(np.int64) + (u < 0.03)
    speed = PRIORITY_SPEED[priority] * np.array(channel_speed)[channel]
    first_b = _lognormal(rng, med_first * speed * slow, 0.8)
    work_b = _lognormal(rng, med_work * PRIORITY_WORK[priority] * slow * (1 + 0.6 * transfers), 0.9)
    has_pause = rng.random(n) < np.array([c.pause for c in cats])[cat]
    # Waits (for an approval, say) stretch too when nobody chases them.
    pause_b = np.where(has_pause, _lognormal(rng, np.full(n, 480.0) * slow, 0.8), 0.0)
    pause_from = rng.uniform(0.15, 0.6, n)
    declined = (system == "jira") & (rng.random(n) < 0.015)
    work_b = np.where(declined, work_b * 0.2, work_b)
    # Some requests stall: nobody finishes them (and many more in the slipping department).
    stalls = rng.random(n) < np.where(slipping, 0.08, 0.004)

    c0 = clock.at(created)
    first_c = c0 + first_b
    pause_start_c = first_c + work_b * pause_from
    resolved1_c = first_c + work_b + pause_b
    slow_work = work_b > 3 * med_work
    has_reopen = ~declined & (rng.random(n) < 0.04 + 0.08 * slow_work + 0.04 * transfers)
    reopen_c = resolved1_c + _lognormal(rng, np.full(n, 300.0), 0.8)
    rework_b = _lognormal(rng, med_work * 0.4, 0.8)
    resolved_c = np.where(has_reopen, reopen_c + rework_b, resolved1_c)
    resolved_c = np.where(stalls, np.inf, resolved_c)

    promise = rng.random(n) < np.array([c.promise for c in cats])[cat]
    # Promises are estimates of the work with a margin, made on normal expectations: a
    # slipping department breaks them, reworks after a reopen break some too.
    promised_b = (first_b + work_b + pause_b) / slow * _lognormal(rng, np.full(n, 1.8), 0.4)
    due_t = np.where(promise, clock.time_at(c0 + promised_b), np.nan)
    due_day = np.floor(due_t / DAY)

    return pd.DataFrame({
        "cat": cat,
        "category": np.array([c.name for c in cats])[cat],
        "department": dept,
        "created": created,
        "first_response": clock.time_at(first_c),
        "pause_start": np.where(has_pause & ~stalls, clock.time_at(pause_start_c), np.inf),
        "pause_end": np.where(has_pause & ~stalls, clock.time_at(pause_start_c + pause_b), np.inf),
        "resolved_first": np.where(has_reopen & ~stalls, clock.time_at(resolved1_c), np.inf),
        "reopened": np.where(has_reopen & ~stalls, clock.time_at(reopen_c), np.inf),
        "resolved": clock.time_at(resolved_c),
        "due_day": due_day,
        "priority": priority,
        "channel": channel,
        "transfers": transfers,
        "declined": declined,
        "slipping": slipping,
        "business_first": first_b,
        "business_total": first_b + work_b + np.where(has_reopen, rework_b, 0.0),
        "expected_total": med_first + med_work,
        "expected_first": med_first * PRIORITY_SPEED[priority],
        "on_hold": np.array([c.on_hold for c in cats])[cat],
    })


def _as_of(sim: pd.DataFrame, as_of: float, close_after_days: float) -> pd.DataFrame:
    """What an export taken at `as_of` shows: timestamps so far, status, reopens."""
    t = as_of
    answered = sim["first_response"].to_numpy() <= t
    resolved = sim["resolved"].to_numpy()
    first_resolved = sim["resolved_first"].to_numpy()
    reopened = sim["reopened"].to_numpy()
    shown_resolved = np.where(
        resolved <= t, resolved, np.where((first_resolved <= t) & (reopened > t), first_resolved, np.nan)
    )
    closed_at = shown_resolved + close_after_days * DAY
    is_closed = closed_at <= t
    in_pause = (
        (sim["pause_start"].to_numpy() <= t) & (sim["pause_end"].to_numpy() > t) & np.isnan(shown_resolved)
    )
    state = np.select(
        [is_closed, ~np.isnan(shown_resolved), in_pause, answered],
        ["closed", "resolved", "paused", "working"],
        "new",
    )
    moments = np.stack([
        sim["created"].to_numpy(), sim["first_response"].to_numpy(), sim["pause_start"].to_numpy(),
        sim["pause_end"].to_numpy(), first_resolved, reopened, resolved, closed_at,
    ])
    updated = np.nanmax(np.where(moments <= t, moments, np.nan), axis=0)
    out = sim.copy()
    out["state"] = state
    out["shown_first_response"] = np.where(answered, sim["first_response"], np.nan)
    out["shown_resolved"] = shown_resolved
    out["reopens"] = ((reopened <= t) & np.isfinite(reopened)).astype(np.int64)
    out["updated"] = updated
    return out


# --------------------------------------------------------------------------------------
# People


def _people(n: int, offset: int) -> list[str]:
    """n distinct fictional names."""
    f, l = len(FIRST_NAMES), len(LAST_NAMES)
    return [f"{FIRST_NAMES[(i + offset) % f]} {LAST_NAMES[((i + offset) // f) % l]}" for i in range(n)]


def _employees() -> pd.DataFrame:
    sizes = np.array([d.headcount for d in DEPARTMENTS])
    names = _people(int(sizes.sum()), 0)
    return pd.DataFrame({
        "name": names,
        "department": np.repeat(np.array(DEPARTMENT_NAMES), sizes),
    })


def _agents(employees: pd.DataFrame, department: str, n: int, desk: str) -> list[str]:
    """Who handles a department's requests: its own staff (the internal desk takes the first
    n, the customer desk the last n), or a vendor's people for an outsourced department."""
    vendor = VENDORS.get(department)
    if vendor:
        offset = 500 + 13 * DEPARTMENT_NAMES.index(department)
        return [f"{name} ({vendor})" for name in _people(n, offset)]
    staff = employees.loc[employees["department"] == department, "name"].tolist()
    return staff[:n] if desk == "jira" else staff[-n:]


def _customers(rng) -> pd.DataFrame:
    n = N_CUSTOMERS
    f, l = len(FIRST_NAMES), len(LAST_NAMES)
    i = np.arange(n)
    first = np.array(FIRST_NAMES)[i % f]
    initial = np.array(list("ABCDEFGHIJLMNOPRSTV"))[(i // f) % 19]
    last = np.array(LAST_NAMES)[(i // (f * 19)) % l]
    orgs = np.array([f"{stem} Example {ORG_SUFFIXES[k % len(ORG_SUFFIXES)]}" for k, stem in enumerate(ORG_STEMS)])
    org_weight = 1.0 / (np.arange(len(orgs)) + 2) ** 0.8
    has_org = rng.random(n) < 0.65
    org_idx = rng.choice(len(orgs), size=n, p=org_weight / org_weight.sum())
    org = np.where(has_org, orgs[org_idx], "")
    domain = np.where(
        has_org,
        np.char.add(np.char.replace(np.char.lower(org), " ", "-"), ".example"),
        "mail.example",
    )
    local = np.char.add(np.char.add(np.char.lower(np.char.translate(first.astype(str), ACCENTS)), "."),
                        np.char.lower(np.char.translate(last.astype(str), ACCENTS)))
    email = np.char.add(np.char.add(np.char.add(local, i.astype(str)), "@"), domain)
    english = rng.random(n) < np.where(has_org & (org_idx % 3 == 0), 0.6, 0.12)
    return pd.DataFrame({
        "name": np.char.add(np.char.add(np.char.add(first, " "), np.char.add(initial, ". ")), last),
        "id": 3904418000 + 7 * i,
        "email": email,
        "org": org,
        "language": np.where(english, "en", "pt"),
        "weight": 1.0 / (i + 5) ** 0.9,
    })


# --------------------------------------------------------------------------------------
# Subjects


def _subjects(rng, category: np.ndarray, language: np.ndarray, system: str) -> np.ndarray:
    """Subjects that repeat with variations (numbers, accents, prefixes) per category."""
    n = len(category)
    base = np.empty(n, dtype=object)
    for name in np.unique(category):
        for lang_index, lang in enumerate(("pt", "en")):
            rows = np.flatnonzero((category == name) & (language == lang))
            if not len(rows):
                continue
            phrases = _expand(SUBJECTS[name][lang_index], lang)
            base[rows] = np.array(phrases, dtype=object)[rng.integers(0, len(phrases), len(rows))]
    pt = language == "pt"
    prefixes = np.array(["", "Re: ", "Fwd: ", "URGENT: ", "[Portal] "], dtype=object)
    prefix = prefixes[rng.choice(5, size=n, p=(0.82, 0.06, 0.04, 0.05, 0.03))]
    prefix = np.where(pt & (prefix == "Fwd: "), "ENC: ", prefix)
    prefix = np.where(pt & (prefix == "URGENT: "), "URGENTE: ", prefix)
    number = rng.integers(1000, 99999, n).astype(str).astype(object)
    word = "chamado " if system == "jira" else "pedido "
    suffix_kind = rng.choice(5, size=n, p=(0.64, 0.2, 0.07, 0.05, 0.04))
    suffix = np.select(
        [suffix_kind == 1, suffix_kind == 2, suffix_kind == 3, suffix_kind == 4],
        [
            " #" + number,
            np.where(pt, " - " + word, " - ticket ") + number,
            "!",
            np.where(pt, " (urgente)", " (urgent)"),
        ],
        "",
    )
    text = (prefix + base + suffix).astype(str)
    casing = rng.choice(4, size=n, p=(0.78, 0.15, 0.04, 0.03))
    folded = np.char.lower(np.char.translate(text, ACCENTS))
    text = np.select(
        [casing == 1, casing == 2, casing == 3], [folded, np.char.upper(text), np.char.lower(text)], text
    )
    return text.astype(object)


def _expand(templates: tuple[str, ...], lang: str) -> list[str]:
    out = []
    for template in templates:
        keys = [k for k in PLACEHOLDERS[lang] if "{" + k + "}" in template]
        if keys:
            out += [template.replace("{" + keys[0] + "}", v) for v in PLACEHOLDERS[lang][keys[0]]]
        else:
            out.append(template)
    return out


# --------------------------------------------------------------------------------------
# Feedback


def _scores(rng, req: pd.DataFrame, warmth: np.ndarray) -> np.ndarray:
    """A latent 1-5 satisfaction: lower after slow work, late replies, reopens and transfers."""
    n = len(req)
    ratio = req["business_total"].to_numpy() / req["expected_total"].to_numpy()
    slow = np.clip(0.55 * np.log2(np.maximum(ratio, 1e-9)), 0, 2.0)
    late_reply = req["business_first"].to_numpy() > 3 * req["expected_first"].to_numpy()
    x = (
        4.55
        - slow
        - 0.4 * late_reply
        - 0.9 * (req["reopens"].to_numpy() > 0)
        - 0.45 * req["transfers"].to_numpy()
        - 1.0 * req["declined"].to_numpy()
        + warmth
        + 0.6 * rng.standard_normal(n)
    )
    return x


def _with_tails(texts: tuple[str, ...], tails: tuple[str, ...], pick: np.ndarray) -> np.ndarray:
    """A text per uniform draw in pick; the draw's remainder within its text decides the tail
    (none for the lower half), so tails cost no extra random numbers."""
    scaled = pick * len(texts)
    chosen = np.array(texts, dtype=object)[scaled.astype(np.int64)]
    remainder = scaled - np.floor(scaled)
    tail_no = ((remainder - 0.5) * 2 * len(tails)).astype(np.int64)
    tailed = np.array([""] + [" " + tail for tail in tails], dtype=object)[np.where(remainder < 0.5, 0, tail_no + 1)]
    return chosen + tailed


def _feedback(
    rng, req: pd.DataFrame, language: np.ndarray, warmth: np.ndarray, as_of: float, rate: float
) -> pd.DataFrame:
    """Survey answers for resolved requests, submitted before the export moment."""
    n = len(req)
    resolved = req["shown_resolved"].to_numpy()
    submitted = resolved + _lognormal(rng, np.full(n, 180.0), 1.0)
    latent = _scores(rng, req, warmth)
    answers = ~np.isnan(resolved) & (rng.random(n) < rate) & (submitted <= as_of)
    # Unhappy people tend to give the lowest mark rather than a 2, happy ones a 5.
    score = 1 + np.digitize(latent, SCORE_THRESHOLDS)
    polarity = np.where(score <= 2, "neg", np.where(score == 3, "mid", "pos"))
    wants_comment = rng.random(n) < np.where(score <= 2, 0.75, 0.4)
    # Which dimension the comment speaks to follows what happened.
    weights = np.stack([
        0.4 + 1.0 * (req["reopens"].to_numpy() > 0)
        + 0.6 * (req["business_total"].to_numpy() > 2 * req["expected_total"].to_numpy()),
        0.35 + 0.6 * ((warmth < 0) & (score <= 3)),
        0.25 + 1.0 * (req["transfers"].to_numpy() > 0) + 0.3 * np.isfinite(req["pause_start"].to_numpy()),
    ], axis=1)
    cum = np.cumsum(weights / weights.sum(axis=1, keepdims=True), axis=1)
    dimension = np.array(["business", "human", "hidden"])[(rng.random(n)[:, None] > cum).sum(axis=1).clip(0, 2)]
    pick = rng.random(n)
    comment = np.full(n, None, dtype=object)
    for (lang, pol, dim), texts in COMMENTS.items():
        rows = np.flatnonzero(
            answers & wants_comment & (language == lang) & (polarity == pol) & (dimension == dim)
        )
        comment[rows] = _with_tails(texts, COMMENT_TAILS[lang], pick[rows])
    plain = rng.random(n) < PLAIN_COMMENT_SHARE
    for (lang, pol), texts in PLAIN_COMMENTS.items():
        rows = np.flatnonzero(answers & wants_comment & plain & (language == lang) & (polarity == pol))
        comment[rows] = np.array(texts, dtype=object)[(pick[rows] * len(texts)).astype(np.int64)]
    return pd.DataFrame({
        "row": np.flatnonzero(answers),
        "submitted": submitted[answers],
        "latent": latent[answers],
        "score": score[answers],
        "comment": comment[answers],
    })


# --------------------------------------------------------------------------------------
# Formatting and writing


class _Writer:
    """Formats typed columns as the tools do (with DuckDB, locale-free) and writes CSV."""

    def __init__(self, timezone: str):
        self.con = duckdb.connect()
        self.con.execute("set TimeZone = 'UTC'")
        self.con.execute("set threads = 1")  # row order and formatting must not depend on threads
        # strftime's %z prints "-03"; Zendesk writes "-0300" and ISO 8601 "-03:00".
        self.con.execute(
            """create macro offset_secs(ts, tz) as
               cast(epoch(ts::timestamp) - epoch(timezone(tz, ts::timestamp)) as bigint)"""
        )
        self.con.execute(
            """create macro utc_offset(ts, tz, sep) as
               case when ts is not null then
                   (case when offset_secs(ts, tz) < 0 then '-' else '+' end)
                   || lpad(cast(abs(offset_secs(ts, tz)) // 3600 as varchar), 2, '0') || sep
                   || lpad(cast(abs(offset_secs(ts, tz)) % 3600 // 60 as varchar), 2, '0')
               end"""
        )
        self.timezone = timezone

    def rows(self, table: pd.DataFrame, select: str) -> list[tuple]:
        self.con.register("t", table)
        try:
            params = {"tz": self.timezone} if "$tz" in select else {}
            return self.con.execute(select, params).fetchall()
        finally:
            self.con.unregister("t")

    @staticmethod
    def write(
        path: Path, header: list[str], rows: list, encoding: str = "utf-8", lineterminator: str = "\r\n"
    ) -> None:
        with path.open("w", encoding=encoding, newline="") as handle:
            writer = csv.writer(handle, lineterminator=lineterminator)
            writer.writerow(header)
            writer.writerows(rows)

    def close(self) -> None:
        self.con.close()


JIRA_HEADER = [
    "Summary", "Issue key", "Issue id", "Issue Type", "Status", "Project name", "Project key",
    "Priority", "Assignee", "Reporter", "Created", "Updated", "Resolved", "Due Date", "Component/s",
    "Labels", "Labels", "Custom field (Request Type)", "Custom field (Department)",
    "Custom field (Provider type)", "Custom field (Source)",
    "Custom field ([CHART] Date of First Response)", "Custom field (Reopen count)",
]
JIRA_SELECT = """
select summary, issue_key, issue_id, issue_type, status, project, project_key, priority, assignee,
       reporter,
       strftime(created, '%d/%b/%y %-I:%M %p'), strftime(updated, '%d/%b/%y %-I:%M %p'),
       strftime(resolved, '%d/%b/%y %-I:%M %p'), strftime(due, '%d/%b/%y %-I:%M %p'),
       component, label1, label2, request_type, department, provider_type, source,
       strftime(first_response, '%d/%b/%y %-I:%M %p'), reopen_count
from t
"""
ZENDESK_HEADER = [
    "Id", "Requester", "Requester id", "Requester email", "Assignee", "Group", "Subject", "Tags",
    "Status", "Priority", "Via", "Ticket type", "Created at", "Updated at", "Organization",
    "Due date", "Solved at", "Group stations", "Reopens", "Replies", "First reply time in minutes",
    "Category [list]",
]
ZENDESK_TIME = "strftime({c}, '%Y-%m-%d %H:%M:%S ') || utc_offset({c}, $tz, '')"
ZENDESK_SELECT = f"""
select id, requester, requester_id, requester_email, assignee, group_name, subject, tags, status,
       priority, via, ticket_type,
       {ZENDESK_TIME.format(c='created')}, {ZENDESK_TIME.format(c='updated')}, organization,
       {ZENDESK_TIME.format(c='due')}, {ZENDESK_TIME.format(c='solved')},
       group_stations, reopens, replies, first_reply_minutes, category
from t
"""
ISO_TIME = "strftime({c}, '%Y-%m-%dT%H:%M:%S') || utc_offset({c}, $tz, ':')"
SURVEY_HEADER = ["Ticket ID", "Submitted at", "Score", "Comment"]
SURVEY_SELECT = f"select ticket_id, {ISO_TIME.format(c='submitted')}, score, comment from t"
VENDOR_SURVEY_SELECT = "select ticket_id, strftime(submitted, '%d/%m/%Y %H:%M'), score, comment from t"
EVENTS_HEADER = ["request_id", "event_at", "kind", "from_status", "to_status", "provider_department", "agent"]
EVENTS_SELECT = f"""
select request_id, {ISO_TIME.format(c='event_at')}, kind, from_status, to_status,
       provider_department, agent
from t
"""


def _warmth(rng, agent_lists: dict[str, list[str]], agent: np.ndarray) -> np.ndarray:
    """Each agent's manner (the human dimension), as a shift of the satisfaction score."""
    names = sorted({a for agents in agent_lists.values() for a in agents})
    by_agent = dict(zip(names, rng.normal(0, 0.3, len(names))))
    return pd.Series(agent).map(by_agent).to_numpy(dtype=float)


def _choose_by_group(rng, groups: np.ndarray, options: dict[str, tuple[list, np.ndarray]]) -> np.ndarray:
    """For each row, one of its group's options (weighted)."""
    out = np.empty(len(groups), dtype=object)
    for group, (values, weights) in options.items():
        rows = np.flatnonzero(groups == group)
        if len(rows):
            picks = rng.choice(len(values), size=len(rows), p=weights / weights.sum())
            out[rows] = np.array(values, dtype=object)[picks]
    return out


def _jira(rng, frame: _Frame, clock: _BusinessClock, scale: float):
    """Internal requests: the Jira export's table, plus what feedback and events need."""
    cats = [c for c in CATEGORIES if c.system == "jira"]
    sim = _simulate(rng, cats, frame, clock, "jira", scale)
    req = _as_of(sim, frame.as_of, close_after_days=7)
    n = len(req)
    dept = req["department"].to_numpy()

    # Who asks: departments by headcount, with affinities (Sales to Legal, Logistics to Procurement...).
    employees = _employees()
    affinity = {
        "Legal": {"Sales": 4, "Procurement": 3},
        "Procurement": {"Logistics": 3, "IT": 2, "Marketing": 2, "Facilities": 2},
        "Logistics": {"Sales": 3, "Customer Support": 2},
        "Finance": {"Sales": 2, "Procurement": 2},
    }
    headcount = np.array([d.headcount for d in DEPARTMENTS], dtype=float)
    asks = {}
    for provider in sorted({c.department for c in cats}):  # sorted: set order varies by process
        weights = headcount.copy()
        for name, factor in affinity.get(provider, {}).items():
            weights[DEPARTMENT_NAMES.index(name)] *= factor
        weights[DEPARTMENT_NAMES.index(provider)] *= 0.3
        asks[provider] = (list(DEPARTMENT_NAMES), weights)
    requester_dept = _choose_by_group(rng, dept, asks)
    # Within a department a few people ask much more than the rest.
    people = {}
    for name in DEPARTMENT_NAMES:
        staff = employees.loc[employees["department"] == name, "name"].tolist()
        people[name] = (staff, 1.0 / (np.arange(len(staff)) + 2) ** 0.8)
    reporter = _choose_by_group(rng, requester_dept, people)
    english_speakers = set(employees["name"].to_numpy()[rng.random(len(employees)) < 0.15])
    language = np.where(pd.Series(reporter).isin(english_speakers), "en", "pt")

    # Who serves: each department's agents; one Procurement buyer is away while it slips.
    agent_lists = {d: _agents(employees, d, {"IT": 8, "Legal": 2}.get(d, 4), "jira")
                   for d in sorted({c.department for c in cats})}
    agent = _choose_by_group(rng, dept, {k: (v, np.ones(len(v))) for k, v in agent_lists.items()})
    buyers = agent_lists[SLIPPING_DEPARTMENT]
    away = req["slipping"].to_numpy() & (agent == buyers[0])
    agent[away] = np.array(buyers[1:], dtype=object)[rng.integers(0, len(buyers) - 1, away.sum())]
    unassigned = (req["state"].to_numpy() == "new") & (rng.random(n) < 0.7)
    warmth = _warmth(rng, agent_lists, agent)

    # Issue keys: one sequence per project, continuing from earlier years.
    key_of = {d.name: d.key for d in DEPARTMENTS}
    project_key = pd.Series(dept).map(key_of).to_numpy()
    start_number = {d.key: 1000 + 737 * i for i, d in enumerate(DEPARTMENTS)}
    keys = pd.Series(project_key)
    number = keys.map(start_number).to_numpy() + keys.groupby(project_key).cumcount().to_numpy()
    issue_key = np.char.add(np.char.add(project_key.astype(str), "-"), number.astype(str)).astype(object)

    state = req["state"].to_numpy()
    pause_status = np.where(req["on_hold"].to_numpy(), "Waiting for approval", "Waiting for customer")
    status = np.select(
        [req["declined"].to_numpy() & np.isin(state, ["resolved", "closed"]), state == "closed",
         state == "resolved", state == "paused", state == "working"],
        ["Declined", "Closed", "Resolved", pause_status, "In Progress"],
        "Waiting for support",
    )
    cat = req["cat"].to_numpy()
    label1 = np.array([c.labels[0] if c.labels else None for c in cats], dtype=object)[cat]
    label2 = np.array([c.labels[1] if len(c.labels) > 1 else None for c in cats], dtype=object)[cat]
    keep_labels = rng.random(n) < 0.6
    provider_type = pd.Series(dept).map({d.name: d.provider_type for d in DEPARTMENTS}).to_numpy()
    table = pd.DataFrame({
        "summary": _subjects(rng, req["category"].to_numpy(), language, "jira"),
        "issue_key": issue_key,
        "issue_id": 20000 + np.arange(n) * 3,
        "issue_type": np.array(["Incident" if c.incident else "Service Request" for c in cats])[cat],
        "status": status,
        "project": dept,
        "project_key": project_key,
        "priority": np.array(PRIORITIES["jira"][0])[req["priority"].to_numpy()],
        "assignee": np.where(unassigned, None, agent),
        "reporter": reporter,
        "created": _ts(frame, req["created"], to_minute=True),
        "updated": _ts(frame, req["updated"], to_minute=True),
        "resolved": _ts(frame, req["shown_resolved"], to_minute=True),
        # Jira's Due Date is a date; its CSV export writes it as that day at 12:00 AM.
        "due": _ts(frame, req["due_day"] * DAY, to_minute=True),
        "component": np.array([c.component for c in cats])[cat],
        "label1": np.where(keep_labels, label1, None),
        "label2": np.where(keep_labels, label2, None),
        "request_type": req["category"].to_numpy(),
        "department": requester_dept,
        "provider_type": provider_type,
        "source": np.array(CHANNELS["jira"][0])[req["channel"].to_numpy()],
        "first_response": _ts(frame, req["shown_first_response"], to_minute=True),
        "reopen_count": req["reopens"].to_numpy(),
    })
    return table, req, language, warmth, agent


def _ts(frame: _Frame, minutes, to_minute: bool = False) -> np.ndarray:
    """Local wall-clock datetime64[s] for minutes since the origin (NaT where not finite)."""
    minutes = np.asarray(minutes, dtype=float)
    finite = np.isfinite(minutes)
    secs = np.floor(np.where(finite, minutes, 0) * 60)
    if to_minute:  # as Jira shows times
        secs = np.floor(secs / 60) * 60
    out = np.datetime64(frame.origin, "s") + secs.astype(np.int64).astype("timedelta64[s]")
    out[~finite] = np.datetime64("NaT")
    return out


def _zendesk(rng, frame: _Frame, clock: _BusinessClock, scale: float):
    """External tickets: the Zendesk export's table, plus what feedback needs."""
    cats = [c for c in CATEGORIES if c.system == "zendesk"]
    sim = _simulate(rng, cats, frame, clock, "zendesk", scale)
    req = _as_of(sim, frame.as_of, close_after_days=4)
    n = len(req)
    dept = req["department"].to_numpy()
    customers = _customers(rng)
    who = rng.choice(len(customers), size=n, p=customers["weight"] / customers["weight"].sum())
    language = customers["language"].to_numpy()[who]

    employees = _employees()
    agent_lists = {g: _agents(employees, g, {"Customer Support": 10, "Logistics": 5}.get(g, 3), "zendesk")
                   for g in sorted({c.department for c in cats})}
    agent = _choose_by_group(rng, dept, {k: (v, np.ones(len(v))) for k, v in agent_lists.items()})
    warmth = _warmth(rng, agent_lists, agent)
    state = req["state"].to_numpy()
    unassigned = state == "new"
    on_hold = req["on_hold"].to_numpy()
    status = np.select(
        [state == "closed", state == "resolved", (state == "paused") & on_hold, state == "paused",
         state == "working"],
        ["Closed", "Solved", "Hold", "Pending", "Open"],
        "New",
    )
    task = np.isfinite(req["due_day"].to_numpy())
    incident_like = np.isin(
        req["category"].to_numpy(),
        ["Delivery delay", "Damaged item", "Billing error", "Portal access", "Complaint"],
    )
    ticket_type = np.where(task, "Task", np.where(incident_like, "Incident", "Question"))
    ticket_type = np.where(~task & (rng.random(n) < 0.04), "Problem", ticket_type)
    org = customers["org"].to_numpy()[who]
    vip = np.isin(org, [f"{stem} Example {ORG_SUFFIXES[k]}" for k, stem in enumerate(ORG_STEMS[:3])])
    tag = np.array([c.labels[0] for c in cats], dtype=object)[req["cat"].to_numpy()]
    tags = np.where(vip, tag + " vip", tag)
    channel = req["channel"].to_numpy()
    tags = np.where(channel == 4, tags + " whatsapp", tags)
    created_s = _ts(frame, req["created"])
    first_s = _ts(frame, req["shown_first_response"])
    first_minutes = (first_s - created_s).astype("timedelta64[s]").astype(float) / 60
    first_minutes = np.where(np.isnat(first_s), np.nan, np.floor(first_minutes))
    replies = np.where(
        np.isnan(first_minutes), 0,
        1 + rng.poisson(0.6 + np.minimum(req["business_total"].to_numpy() / 600, 6)),
    )
    table = pd.DataFrame({
        "id": 48211 + np.arange(n) * 2 + rng.integers(0, 2, n),
        "requester": customers["name"].to_numpy()[who],
        "requester_id": customers["id"].to_numpy()[who],
        "requester_email": customers["email"].to_numpy()[who],
        "assignee": np.where(unassigned, None, agent),
        "group_name": dept,
        "subject": _subjects(rng, req["category"].to_numpy(), language, "zendesk"),
        "tags": tags,
        "status": status,
        "priority": np.array([p or None for p in PRIORITIES["zendesk"][0]], dtype=object)[req["priority"].to_numpy()],
        "via": np.array(CHANNELS["zendesk"][0])[channel],
        "ticket_type": ticket_type,
        "created": created_s,
        "updated": _ts(frame, req["updated"]),
        "organization": np.where(org == "", None, org),
        # Zendesk stores a task's due date as noon of the chosen day.
        "due": _ts(frame, req["due_day"] * DAY + 12 * 60),
        "solved": _ts(frame, req["shown_resolved"]),
        "group_stations": 1 + req["transfers"].to_numpy(),
        "reopens": req["reopens"].to_numpy(),
        "replies": replies,
        "first_reply_minutes": pd.array(first_minutes, dtype="Int64"),
        "category": req["category"].to_numpy(),
    })
    return table, req, language, warmth


def _events(req: pd.DataFrame, table: pd.DataFrame, agent: np.ndarray, frame: _Frame) -> pd.DataFrame:
    """Jira status history for the pauses (waiting for customer / approval) and reopens."""
    t = frame.as_of
    pause_to = np.where(req["on_hold"].to_numpy(), "on_hold", "pending")
    parts = []

    def add(mask, at, kind, from_status, to_status):
        rows = np.flatnonzero(mask)
        parts.append(pd.DataFrame({
            "row": rows,
            "at": np.asarray(at)[rows],
            "kind": kind,
            "from_status": np.broadcast_to(np.asarray(from_status, dtype=object), len(mask))[rows],
            "to_status": np.broadcast_to(np.asarray(to_status, dtype=object), len(mask))[rows],
        }))

    pause_start, pause_end = req["pause_start"].to_numpy(), req["pause_end"].to_numpy()
    add(pause_start <= t, pause_start, "status_change", "open", pause_to)
    add(pause_end <= t, pause_end, "status_change", pause_to, "open")
    first_resolved, reopened = req["resolved_first"].to_numpy(), req["reopened"].to_numpy()
    add(first_resolved <= t, first_resolved, "status_change", "open", "resolved")
    add(reopened <= t, reopened, "reopen", "resolved", "open")
    events = pd.concat(parts, ignore_index=True).sort_values(["row", "at"], kind="stable")
    rows = events["row"].to_numpy()
    return pd.DataFrame({
        "request_id": table["issue_key"].to_numpy()[rows],
        "event_at": _ts(frame, events["at"]),
        "kind": events["kind"].to_numpy(),
        "from_status": events["from_status"].to_numpy(),
        "to_status": events["to_status"].to_numpy(),
        "provider_department": table["project"].to_numpy()[rows],
        "agent": agent[rows],
    })


# --------------------------------------------------------------------------------------
# Deliberately bad rows, each ending in rejected_rows for its named reason


def _with_bad_jira_rows(rows: list[tuple]) -> list[list]:
    out = [list(r) for r in rows]
    col = {name: i for i, name in enumerate(JIRA_HEADER) if name != "Labels"}
    n = len(out)
    template = list(out[n // 2])
    # An issue whose key the export left empty.
    missing_key = list(template)
    missing_key[col["Issue key"]] = ""
    missing_key[col["Issue id"]] = "19999"
    # Created written in a Portuguese locale ('Fev'), which the English format cannot read.
    localized = list(template)
    localized[col["Issue key"]] = "FAC-999"
    localized[col["Issue id"]] = "19998"
    localized[col["Created"]] = "10/Fev/26 9:41 AM"
    # Resolved a day before it was created (a clock or migration defect).
    backwards = list(template)
    backwards[col["Issue key"]] = "LEG-999"
    backwards[col["Issue id"]] = "19997"
    backwards[col["Created"]] = "12/Mar/26 2:15 PM"
    backwards[col["Resolved"]] = "11/Mar/26 4:40 PM"
    backwards[col["Updated"]] = "12/Mar/26 2:15 PM"
    backwards[col["Custom field ([CHART] Date of First Response)"]] = None
    # A summary with an unquoted comma: one field too many.
    extra_field = list(template)
    extra_field[col["Issue key"]] = "IT-999"
    extra_field[col["Issue id"]] = "19996"
    extra_field[col["Summary"]:col["Summary"] + 1] = ["Monitor", " teclado e mouse"]
    # An older copy of an issue (two exports pasted together): the newer line wins.
    resolved = [r for r in out if r[col["Status"]] in ("Resolved", "Closed")]
    stale = list(resolved[len(resolved) // 3])
    stale[col["Status"]] = "In Progress"
    stale[col["Resolved"]] = None
    stale[col["Updated"]] = stale[col["Created"]]
    stale[col["Custom field (Reopen count)"]] = 0
    positions = (n // 5, 2 * n // 5, 3 * n // 5, 4 * n // 5, n)
    for position, row in zip(positions, (missing_key, localized, backwards, extra_field, stale)):
        out.insert(position, row)
    return out


def _with_bad_zendesk_rows(rows: list[tuple]) -> list[list]:
    out = [list(r) for r in rows]
    col = {name: i for i, name in enumerate(ZENDESK_HEADER)}
    n = len(out)
    template = list(out[n // 3])
    next_id = max(int(r[col["Id"]]) for r in out) + 1
    no_created = list(template)
    no_created[col["Id"]] = next_id
    no_created[col["Created at"]] = ""
    bad_solved = list(template)
    bad_solved[col["Id"]] = next_id + 1
    bad_solved[col["Created at"]] = "2026-02-27 09:12:44 -0300"
    bad_solved[col["Solved at"]] = "2026-02-30 16:05:10 -0300"
    bad_solved[col["Updated at"]] = "2026-03-02 08:00:00 -0300"
    early_reply = list(template)
    early_reply[col["Id"]] = next_id + 2
    early_reply[col["First reply time in minutes"]] = -12
    for position, row in zip((n // 4, n // 2, 3 * n // 4), (no_created, bad_solved, early_reply)):
        out.insert(position, row)
    return out


def _with_bad_survey_rows(rows: list[tuple]) -> list[list]:
    out = [list(r) for r in rows]
    n = len(out)
    template = list(out[n // 2])
    no_ticket = ["", template[1], "5", "teste de pesquisa, ignorar"]
    no_score = [template[0], template[1], "", "Only wanted to leave a comment: thanks!"]
    for position, row in zip((n // 3, 2 * n // 3), (no_ticket, no_score)):
        out.insert(position, row)
    return out


# --------------------------------------------------------------------------------------
# Public API


def default_anchor(now: datetime | None = None) -> date:
    """The latest Monday whose export moment (that Wednesday, 12:00 in the organisation's time
    zone) has passed: this week's from Wednesday noon on, the week before's until then, so that
    the sample never holds a timestamp later than now."""
    from servicelevel.settings import organisation

    zone = ZoneInfo(organisation().timezone)
    local = (now.astimezone(zone) if now else datetime.now(zone)).replace(tzinfo=None)
    return _monday((local - timedelta(minutes=AS_OF_OFFSET)).date())


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def generate_exports(
    out_dir: Path,
    anchor: date | None = None,
    seed: int = DEFAULT_SEED,
    scale: float = 1.0,
) -> list[SampleFile]:
    """Write the sample exports into out_dir; how to import each, in the order to import them.

    anchor: the Monday the data leads up to (another day stands for its week's Monday);
    default: default_anchor(). scale: multiplies every volume (1.0 = about 40,000 requests).
    """
    from servicelevel.settings import organisation

    timezone = organisation().timezone
    anchor = _monday(anchor or default_anchor())
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    frame = _frame(anchor)
    jira_rng, zendesk_rng, feedback_rng = (
        np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(3)
    )
    writer = _Writer(timezone)
    try:
        jira_table, jira_req, jira_lang, jira_warmth, jira_agent = _jira(
            jira_rng, frame, _BusinessClock(frame, CALENDARS["jira"]), scale
        )
        zd_table, zd_req, zd_lang, zd_warmth = _zendesk(
            zendesk_rng, frame, _BusinessClock(frame, CALENDARS["zendesk"]), scale
        )

        jira_path = out_dir / "jira_requests.csv"
        # Jira lists the newest issues first. (take, not [::-1]: DuckDB cannot scan reversed arrays.)
        newest_first = jira_table.take(np.arange(len(jira_table))[::-1])
        writer.write(jira_path, JIRA_HEADER, _with_bad_jira_rows(writer.rows(newest_first, JIRA_SELECT)))
        zendesk_path = out_dir / "zendesk_tickets.csv"
        writer.write(
            zendesk_path, ZENDESK_HEADER, _with_bad_zendesk_rows(writer.rows(zd_table, ZENDESK_SELECT)),
            encoding="utf-8-sig", lineterminator="\n",
        )

        events_path = out_dir / "jira_status_history.csv"
        events = _events(jira_req, jira_table, jira_agent, frame)
        writer.write(events_path, EVENTS_HEADER, writer.rows(events, EVENTS_SELECT), lineterminator="\n")

        # Feedback: one survey tool for both desks (1-5); the Facilities vendor runs its own (1-10).
        jira_fb = _feedback(feedback_rng, jira_req, jira_lang, jira_warmth, frame.as_of, 0.24)
        zd_fb = _feedback(feedback_rng, zd_req, zd_lang, zd_warmth, frame.as_of, 0.3)
        jira_fb["ticket_id"] = jira_table["issue_key"].to_numpy()[jira_fb["row"]]
        zd_fb["ticket_id"] = zd_table["id"].astype(str).to_numpy()[zd_fb["row"]]
        vendor = jira_table["project"].to_numpy()[jira_fb["row"]] == "Facilities"
        answers = pd.concat([jira_fb[~vendor], zd_fb], ignore_index=True)
        answers = answers.sort_values(["submitted", "ticket_id"], kind="stable").reset_index(drop=True)
        answers["submitted"] = _ts(frame, answers["submitted"])
        survey_path = out_dir / "csat_survey.csv"
        writer.write(survey_path, SURVEY_HEADER, _with_bad_survey_rows(writer.rows(answers, SURVEY_SELECT)))

        vendor_answers = jira_fb[vendor].sort_values(["submitted", "ticket_id"], kind="stable")
        vendor_answers = vendor_answers.reset_index(drop=True)
        ten = 1 + (vendor_answers["latent"] - 1) * 9 / 4 + feedback_rng.normal(0, 0.5, len(vendor_answers))
        vendor_answers["score"] = np.clip(np.rint(ten), 1, 10).astype(np.int64)
        vendor_answers["submitted"] = _ts(frame, np.floor(vendor_answers["submitted"]))
        vendor_path = out_dir / "facilities_vendor_survey.csv"
        writer.write(
            vendor_path, SURVEY_HEADER, writer.rows(vendor_answers, VENDOR_SURVEY_SELECT), lineterminator="\n"
        )
    finally:
        writer.close()

    return [
        SampleFile(jira_path, "jira", "jira", timezone),
        SampleFile(zendesk_path, "zendesk", "zendesk", timezone),
        SampleFile(events_path, "canonical_events", "jira"),
        SampleFile(survey_path, "survey", "survey"),
        SampleFile(vendor_path, "survey", "facilities_survey", timezone, "jira"),
    ]


def sample_sources_held(con: duckdb.DuckDBPyConnection, held: set[str]) -> list[str]:
    """The sample's sources among `held` (the sources holding data), when the sample was built
    into this database."""
    from servicelevel.store import get_meta

    return [s for s in SAMPLE_SOURCES if s in held] if get_meta(con, "sample_anchor") else []


def sources_not_from_the_sample(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The sources holding requests or answers in a database no sample build began in: building
    the sample there would mix its fictional requests into them (a real Jira export's source is
    jira, as the sample's is), and removing them later would take the real rows too."""
    from servicelevel.store import get_meta

    if get_meta(con, "sample_anchor") or unfinished_build(con) is not None:
        return []
    return [source for (source,) in con.execute(
        "select source from requests union select survey_source from feedback order by 1").fetchall()]


# Meta key of a build under way, "<anchor>|<scale>" (e.g. "2026-11-16|1.0"); '' once it finished.
BUILD_UNDER_WAY = "sample_build_under_way"


def unfinished_build(con: duckdb.DuckDBPyConnection) -> tuple[date, float] | None:
    """The anchor and scale of a sample build that was stopped before it finished (the dashboard
    or `sample` interrupted, Ctrl-C, the machine off), else None."""
    from servicelevel.store import get_meta

    marker = get_meta(con, BUILD_UNDER_WAY)
    if not marker:
        return None
    anchor, scale = marker.split("|")
    return date.fromisoformat(anchor), float(scale)


def build_sample(
    con: duckdb.DuckDBPyConnection,
    progress: Callable[[str], None] | None = None,
    anchor: date | None = None,
    scale: float = 1.0,
    out_dir: Path | None = None,
) -> list[str]:
    """Generate the sample exports (into data/sample/ by default) and import them through the
    importer; returns the import reports' lines. Building again changes nothing: the importer
    recognises files it has already imported byte for byte. A build that was stopped part way is
    finished, without an anchor given, with its own anchor and scale: the files it imported are
    generated again byte for byte (and so change nothing), where a later week's would add a second
    sample on top of part of the first.
    """
    from servicelevel.ingest import import_file
    from servicelevel.refresh import refresh_all
    from servicelevel.store import set_meta

    unfinished = unfinished_build(con)
    if anchor is None and unfinished is not None:
        anchor, scale = unfinished
    anchor = _monday(anchor or default_anchor())
    set_meta(con, BUILD_UNDER_WAY, f"{anchor.isoformat()}|{scale}")
    say = progress or (lambda message: None)
    say(f"generating the sample exports (52 weeks up to {anchor.isoformat()}) ...")
    files = generate_exports(Path(out_dir) if out_dir else SAMPLE_DIR, anchor=anchor, scale=scale)
    lines: list[str] = []
    for export in files:
        say(f"importing {export.path.name} ...")
        report = import_file(
            con,
            export.path,
            preset=export.preset,
            source=export.source,
            timezone_name=export.timezone,
            request_source=export.request_source,
        )
        lines.extend(report.lines())
    set_meta(con, "sample_anchor", anchor.isoformat())
    say("computing SLA states and the pages' tables ...")
    lines.extend(refresh_all(con))
    set_meta(con, BUILD_UNDER_WAY, "")
    return lines
